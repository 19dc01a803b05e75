/**
 * Our options as `@effect/cli` sees them (for parsing, `--help`, `--version`
 * and completions), and their validation into a typed `Config`. Values are
 * taken as text and checked here, so every bad value gets the same one-line
 * message naming the option, what it expected and what it got.
 *
 * @internal
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as HaltModule from "@fanout/shell/Halt"
import * as TermSeqModule from "@fanout/shell/TermSeq"
import type { TermSeq } from "@fanout/shell/TermSeq"
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as os from "node:os"
import { UsageError } from "./argv.js"
import type { Source } from "./inputs.js"
import { parseCommandLine, unescapeDelimiter } from "./inputs.js"
import { fromPerl, PerlRegexError } from "./perlRegex.js"
import type { Template } from "./template.js"
import { parse as parseTemplate } from "./template.js"

/** @internal */
export type Timeout =
  | { readonly _tag: "Seconds"; readonly seconds: number }
  /** Percent of the median runtime of the jobs that succeeded so far. */
  | { readonly _tag: "Percent"; readonly percent: number }

/** @internal */
export type Halt = HaltModule.HaltPolicy

/** @internal */
export interface Config {
  /** Jobs at once; `Infinity` for `-j 0`. */
  readonly jobs: number
  readonly keepOrder: boolean
  readonly output: "group" | "line" | "ungroup"
  readonly tag: boolean
  readonly tagString: string | undefined
  readonly timeout: Timeout | undefined
  /** Runs of a failing job in all (GNU parallel's --retries; 0 = until it succeeds, unset = 1). */
  readonly retries: number
  readonly halt: Halt
  /** Seconds between job starts. */
  readonly delay: number
  readonly joblog: string | undefined
  readonly resume: "none" | "all" | "failed"
  readonly dryRun: boolean
  readonly shell: string | undefined
  readonly termSeq: TermSeq | undefined
  readonly bar: boolean
  readonly eta: boolean
  readonly progress: boolean
  readonly json: boolean
  readonly delimiter: string
  readonly colsep: RegExp | undefined
  readonly link: boolean
  readonly template: Template
  readonly sources: ReadonlyArray<ReadonlyArray<Source>>
}

const text = (name: string, pseudo: string, description: string, alias?: string) => {
  const option = Options.text(name).pipe(
    Options.withPseudoName(pseudo),
    Options.withDescription(description),
    Options.optional
  )
  return alias === undefined ? option : option.pipe(Options.withAlias(alias))
}
const flag = (name: string, description: string, alias?: string) => {
  const option = Options.boolean(name).pipe(Options.withDescription(description))
  return alias === undefined ? option : option.pipe(Options.withAlias(alias))
}

/** @internal */
export const definitions = {
  jobs: text("jobs", "N", "Jobs at once: N, N% of CPU threads, +N or -N relative to them, 0 for no limit.", "j"),
  keepOrder: flag("keep-order", "Print outputs in input order (jobs still run in parallel).", "k"),
  group: flag("group", "Print a job's output whole when it ends (the default)."),
  lineBuffer: flag("line-buffer", "Print whole lines as they come; lines of jobs interleave (--lb)."),
  ungroup: flag("ungroup", "Print output bytes as they come.", "u"),
  tag: flag("tag", "Prefix every output line with the job's inputs and a TAB."),
  tagString: text("tagstring", "STR", "Prefix every output line with this (replacement strings allowed) and a TAB."),
  timeout: text("timeout", "DURATION", "Kill a job after DURATION (30, 1.5s, 2m, 1h30m), or N% of the median runtime."),
  retries: text("retries", "N", "Run a failing job up to N times in all."),
  halt: text("halt", "WHEN", "When to stop: never, or now|soon,fail|success|done=N|N%."),
  delay: text("delay", "DURATION", "Wait DURATION between job starts."),
  joblog: text("joblog", "FILE", "Write a tab-separated log of finished jobs (GNU parallel's format) to FILE."),
  resume: flag("resume", "With --joblog: skip the jobs the log shows finished."),
  resumeFailed: flag("resume-failed", "With --joblog: skip the jobs the log shows succeeded, rerun the failed."),
  dryRun: flag("dry-run", "Print each job's command line instead of running it."),
  shell: text("shell", "PATH", "Run commands with this shell (default /bin/sh)."),
  termSeq: text(
    "termseq",
    "SEQ",
    "Signals and waits to stop a job: SIGNAL,MS,... (default TERM,200,TERM,100,TERM,50,KILL,25)."
  ),
  bar: flag("bar", "Show a progress bar on stderr."),
  eta: flag("eta", "Show the estimated time left on stderr."),
  progress: flag("progress", "Show progress on stderr."),
  willCite: flag("will-cite", "Accepted for GNU parallel scripts; fanout prints no citation notice."),
  json: flag("json", "Print one JSON object per job on stdout instead of its output."),
  argFile: Options.text("arg-file").pipe(
    Options.withAlias("a"),
    Options.withPseudoName("FILE"),
    Options.withDescription("Read inputs from FILE (one a line; repeatable; - is stdin)."),
    Options.repeated
  ),
  null: flag("null", "Inputs end with NUL instead of newline.", "0"),
  delimiter: text("delimiter", "DELIM", "Inputs end with this string (\\n, \\t, \\r and \\NNN octal understood).", "d"),
  colsep: text("colsep", "REGEX", "Split each input into columns {1} {2} ... on this regular expression.", "C"),
  link: flag("link", "Pair the input sources instead of taking all combinations (shorter ones wrap).")
}

type Raw = Command.Command.ParseConfig<typeof definitions>

const bad = (option: string, expected: string, got: string) =>
  new UsageError({ message: `${option}: expected ${expected}, got '${got}'` })

/** @internal */
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
  return Math.floor(jobs)
}

const unitSeconds: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }

/** Seconds, with GNU parallel's units: `30`, `1.5s`, `2m`, `1h30m`, `1d`. @internal */
export const parseDuration = (option: string, value: string): number => {
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

const parseTimeout = (value: string): Timeout | undefined => {
  const percent = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(value.trim())
  if (percent !== null) {
    const n = Number(percent[1])
    if (n <= 0) throw bad("--timeout", "a duration or a positive N%", value)
    return { _tag: "Percent", percent: n }
  }
  const seconds = parseDuration("--timeout", value)
  // 0 means no timeout, as in GNU parallel (scripts pass --timeout ${T:-0}).
  if (seconds === 0) return undefined
  return { _tag: "Seconds", seconds }
}

const parseCount = (option: string, value: string, min: number): number => {
  if (!/^[0-9]+$/.test(value.trim()) || Number(value) < min) {
    throw bad(option, min === 0 ? "a whole number" : `a whole number of at least ${min}`, value)
  }
  return Number(value)
}

const haltExpected = "never, or now|soon,fail|success|done=N|N% (e.g. now,fail=1)"

/** The grammar is @fanout/shell's; the CLI words the error its own way. @internal */
export const parseHalt = (value: string): Halt =>
  Either.getOrThrowWith(HaltModule.parse(value), () => bad("--halt", haltExpected, value))

/** @internal */
export const parseTermSeq = (value: string): TermSeq =>
  Either.getOrThrowWith(
    TermSeqModule.parse(value),
    (error) =>
      error.problem === "signal"
        ? bad("--termseq", `a signal name, not '${error.item}' in`, value)
        : bad("--termseq", "SIGNAL,MS,SIGNAL,MS,... (e.g. TERM,200,KILL,25)", value)
  )

const parseColsep = (value: string): RegExp => {
  try {
    return fromPerl(value)
  } catch (error) {
    if (error instanceof PerlRegexError) throw bad("--colsep", `a regular expression without ${error.feature}`, value)
    throw bad("--colsep", "a regular expression", value)
  }
}

const get = (option: Option.Option<string>): string | undefined => Option.getOrUndefined(option)

/** `--shell` is checked once, at start: otherwise every job fails with 127 and nothing said. */
const checkShell = (shell: string | undefined): string | undefined => {
  if (shell === undefined) return undefined
  // @effect/cli reads an empty value as none, so '' never reaches here; a blank one does.
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

/**
 * @throws UsageError
 * @internal
 */
export const toConfig = (raw: Raw, rest: ReadonlyArray<string>): Config => {
  const jobs = get(raw.jobs)
  const timeout = get(raw.timeout)
  const retries = get(raw.retries)
  const halt = get(raw.halt)
  const delay = get(raw.delay)
  const termSeq = get(raw.termSeq)
  const delimiter = get(raw.delimiter)
  const colsep = get(raw.colsep)
  if (raw.resume && raw.resumeFailed) {
    throw new UsageError({ message: "--resume and --resume-failed: expected one of them, got both" })
  }
  const joblog = get(raw.joblog)
  if ((raw.resume || raw.resumeFailed) && joblog === undefined) {
    throw new UsageError({
      message: `${raw.resume ? "--resume" : "--resume-failed"}: expected --joblog FILE to resume from, got none`
    })
  }
  if (delimiter === "") throw bad("-d", "a non-empty delimiter", delimiter)
  const { command, groups } = parseCommandLine(rest, raw.argFile)
  return {
    jobs: jobs === undefined ? os.availableParallelism() : parseJobs(jobs),
    keepOrder: raw.keepOrder,
    output: raw.ungroup ? "ungroup" : raw.lineBuffer ? "line" : "group",
    tag: raw.tag,
    tagString: get(raw.tagString),
    timeout: timeout === undefined ? undefined : parseTimeout(timeout),
    retries: retries === undefined ? 1 : parseCount("--retries", retries, 0),
    halt: halt === undefined ? { when: "never" } : parseHalt(halt),
    delay: delay === undefined ? 0 : parseDuration("--delay", delay),
    joblog,
    resume: raw.resume ? "all" : raw.resumeFailed ? "failed" : "none",
    dryRun: raw.dryRun,
    shell: checkShell(get(raw.shell)),
    termSeq: termSeq === undefined ? undefined : parseTermSeq(termSeq),
    bar: raw.bar,
    eta: raw.eta,
    progress: raw.progress,
    json: raw.json,
    delimiter: raw.null ? "\0" : delimiter === undefined ? "\n" : unescapeDelimiter(delimiter),
    colsep: colsep === undefined ? undefined : parseColsep(colsep),
    link: raw.link,
    template: parseTemplate(command),
    sources: groups
  }
}

/** The `fanout` command for `@effect/cli`: no positional args, `rest` is split off before. @internal */
export const command = <R, E>(handler: (raw: Raw) => Effect.Effect<void, E, R>) =>
  Command.make("fanout", definitions, handler).pipe(
    Command.withDescription(
      "Run a command for every input, many at once (GNU parallel's language): " +
        "fanout [options] [command template] [::: args ...] [:::: argfiles ...]"
    )
  )
