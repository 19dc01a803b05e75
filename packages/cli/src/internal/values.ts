/**
 * Option values, from the text the user typed to `@fanout/shell`'s own types
 * (`Batch.Timeout`, `Halt.HaltPolicy`, `TermSeq`, durations). Each parser
 * throws a `UsageError` naming the option, what it expected and what it got.
 *
 * @internal
 */
import type { Batch } from "@fanout/shell"
import * as Halt from "@fanout/shell/Halt"
import * as TermSeq from "@fanout/shell/TermSeq"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as fs from "node:fs"
import * as os from "node:os"
import { bad, UsageError } from "./exit.js"
import { fromPerl, PerlRegexError } from "./perlRegex.js"
import * as Size from "./size.js"

/** Job slots; `Infinity` for `-j 0` ("as many as possible"). @internal */
export const parseJobs = (value: string, cpus = os.availableParallelism()): number => {
  const match = /^([+-]?)([0-9]+(?:\.[0-9]+)?)(%?)$/.exec(value.trim())
  if (match === null) throw bad("-j", "a number, N%, +N or -N", value)
  const [, sign, digits, percent] = match
  const n = Number(digits)
  // GNU parallel: "Parsing of --jobs/-j/--max-procs/-P failed."
  if (percent === "" && !Number.isInteger(n)) throw bad("-j", "a whole number, N%, +N or -N", value)
  let jobs: number
  if (percent !== "") jobs = sign === "-" ? -1 : (cpus * n) / 100
  else if (sign === "+") jobs = cpus + n
  else if (sign === "-") jobs = cpus - n
  else if (n === 0) return Infinity
  else jobs = n
  if (sign === "-" && percent !== "") throw bad("-j", "a number, N%, +N or -N", value)
  // GNU parallel: "Cannot run any jobs."
  if (jobs < 1) throw bad("-j", `at least one job slot (${cpus} CPUs ${sign}${digits}${percent} leaves none)`, value)
  // GNU parallel rounds up: 75% of 2 CPUs is 2 slots
  return Math.ceil(jobs)
}

/** `-j FILE`: GNU parallel reads the slots from a file that exists when the value is no number. @internal */
export const parseJobsOrFile = (value: string): { readonly jobs: number; readonly file: string | undefined } => {
  try {
    return { jobs: parseJobs(value), file: undefined }
  } catch (error) {
    let text: string
    try {
      if (!fs.statSync(value).isFile()) throw error
      text = fs.readFileSync(value, "utf8")
    } catch {
      throw error
    }
    try {
      return { jobs: parseJobs(text.trim()), file: value }
    } catch {
      throw bad("-j", `a number, N%, +N or -N in the file ${value}`, text.trim())
    }
  }
}

/**
 * A size that cannot be negative (`--memfree`): `size.ts`'s reading, GNU parallel's units.
 *
 * @internal
 */
export const parseSize = (option: string) => (value: string): number => {
  let size = -1
  try {
    size = Size.parseSize(option, value)
  } catch {
    // worded below, for a size that must be positive
  }
  if (size < 0) throw bad(option, "a size like 500M or 2G", value)
  return size
}

/** `--load`: the syntax of -j (`4`, `100%`, `+1`), and 0 is 0.01 as in GNU parallel. @internal */
export const parseLoad = (value: string): number => {
  if (/^0+(\.0*)?$/.test(value.trim())) return 0.01
  try {
    return parseJobs(value)
  } catch {
    throw bad("--load", "a number of running processes, N%, +N or -N", value)
  }
}

/** `--nice`: added to fanout's niceness, as `nice -n` does; at most 19. @internal */
export const parseNice = (value: string): number => {
  if (!/^-?[0-9]+$/.test(value.trim())) throw bad("--nice", "a whole number (19 is the nicest)", value)
  return Number(value)
}

/** `--tmpdir`: a directory fanout can write its spill files to. @internal */
export const checkTmpdir = (dir: string): string => {
  try {
    if (!fs.statSync(dir).isDirectory()) throw bad("--tmpdir", "a directory", dir)
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK)
  } catch (error) {
    if (error instanceof UsageError) throw error
    const code = (error as NodeJS.ErrnoException).code
    throw bad(
      "--tmpdir",
      code === "ENOENT" ? "a directory (no such directory)" : "a directory fanout can write to",
      dir
    )
  }
  return dir
}

const unitSeconds: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }

/** Seconds, with GNU parallel's units: `30`, `1.5s`, `2m`, `1h30m`, `1d`. @internal */
export const parseSeconds = (option: string, value: string): number => {
  const trimmed = value.trim()
  const expected = "a duration like 30, 1.5s, 2m or 1h30m"
  if (trimmed === "") throw bad(option, expected, value)
  let total = 0
  let rest = trimmed
  while (rest !== "") {
    const match = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([smhd]?)/i.exec(rest)
    if (match === null) throw bad(option, expected, value)
    total += Number(match[1]) * unitSeconds[match[2].toLowerCase()]
    rest = rest.slice(match[0].length)
    if (match[2] === "" && rest !== "") throw bad(option, expected, value)
  }
  return total
}

/** A duration; 0 is "none", as GNU parallel reads `--delay 0`. @internal */
export const parseDuration = (option: string) => (value: string): Duration.Duration | undefined => {
  const seconds = parseSeconds(option, value)
  return seconds === 0 ? undefined : Duration.millis(seconds * 1000)
}

/** @internal */
export const parseTimeout = (value: string): Batch.Timeout | undefined => {
  const percent = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(value.trim())
  if (percent !== null) {
    const n = Number(percent[1])
    if (n <= 0) throw bad("--timeout", "a duration or a positive N%", value)
    return { percent: n }
  }
  // 0 means no timeout, as in GNU parallel (scripts pass --timeout ${T:-0}).
  return parseDuration("--timeout")(value)
}

/** @internal */
export const parseCount = (option: string, min: number) => (value: string): number => {
  if (!/^[0-9]+$/.test(value.trim()) || Number(value) < min) {
    throw bad(option, min === 0 ? "a whole number" : `a whole number of at least ${min}`, value)
  }
  return Number(value)
}

const haltExpected = "never, or now|soon,fail|success|done=N|N% (e.g. now,fail=1)"

/** The grammar is @fanout/shell's; the CLI words the error its own way. @internal */
export const parseHalt = (value: string): Halt.HaltPolicy =>
  Either.getOrThrowWith(Halt.parse(value), () => bad("--halt", haltExpected, value))

/** @internal */
export const parseTermSeq = (value: string): TermSeq.TermSeq =>
  Either.getOrThrowWith(
    TermSeq.parse(value),
    (error) =>
      error.problem === "signal"
        ? bad("--termseq", `a signal name, not '${error.item}' in`, value)
        : bad("--termseq", "SIGNAL,MS,SIGNAL,MS,... (e.g. TERM,200,KILL,25)", value)
  )

/** A Perl regular expression, translated (see `perlRegex.ts`); the error names `option`. @internal */
export const parseRegExp = (option: string, value: string): RegExp => {
  try {
    return fromPerl(value)
  } catch (error) {
    if (error instanceof PerlRegexError) throw bad(option, `a regular expression without ${error.feature}`, value)
    throw bad(option, "a regular expression", value)
  }
}

/** @internal */
export const parseColsep = (value: string): RegExp => parseRegExp("--colsep", value)

/**
 * `--header` under `--pipe`/`--pipepart`: `:` is one line, N is N lines, anything else a Perl regular
 * expression matched at the start of the input (GNU parallel's `s/^($opt::header)//`).
 *
 * @internal
 */
export const parsePipeHeader = (header: string | undefined): number | RegExp => {
  if (header === undefined) return 0
  if (header === ":") return 1
  if (/^[0-9]+$/.test(header)) return Number(header)
  const pattern = parseRegExp("--header", header)
  return new RegExp(`^(?:${pattern.source})`, pattern.flags)
}

/** `--shell` is checked once, at start: otherwise every job fails with 127 and nothing said. @internal */
export const checkShell = (shell: string): string => {
  if (shell === "") throw bad("--shell", "the path of a shell", shell)
  if (shell.trim() === "") throw bad("--shell", "the path of a shell", shell)
  try {
    if (!fs.statSync(shell).isFile()) throw bad("--shell", "an executable file, not a directory", shell)
    fs.accessSync(shell, fs.constants.X_OK)
  } catch (error) {
    if (error instanceof UsageError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "not executable" : String(code)
    throw bad("--shell", `an executable shell (${why})`, shell)
  }
  return shell
}

const prefixes: Record<string, number> = {
  "": 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40
}

/**
 * A whole number with GNU parallel's multipliers (`1k` = 1000, `1K` and `1ki` = 1024, `2M`),
 * as `-n`, `-N`, `-L` and `-s` read it. GNU parallel reads text that is no number as 0 or 1
 * silently; here it is an error.
 *
 * @internal
 */
export const parseMultiplied = (option: string, min: number) => (value: string): number => {
  const match = /^([0-9]+)(?:([kmgtKMGT])(i?))?$/.exec(value.trim())
  const expected = `a whole number${min > 0 ? ` of at least ${min}` : ""} (1k = 1000, 1K = 1024 allowed)`
  if (match === null) throw bad(option, expected, value)
  const [, digits, prefix = "", binary] = match
  const n = Number(digits) * (binary === "i" ? 2 ** (10 * " kmgt".indexOf(prefix.toLowerCase())) : prefixes[prefix])
  if (n < min || !Number.isSafeInteger(n)) throw bad(option, expected, value)
  return n
}
