/**
 * Splits `fanout`'s argv into our options and the rest (command template and
 * input sources), the way GNU parallel's Getopt::Long (`require_order`,
 * bundling, unique abbreviations) does: our options end at the first word
 * that is not one of them, or at `--`.
 *
 * @internal
 */
import * as Data from "effect/Data"

/** @internal */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** @internal */
export interface OptionSpec {
  /** Canonical long name, without dashes: what `@effect/cli` is given. */
  readonly name: string
  readonly short: ReadonlyArray<string>
  /** Other long spellings GNU parallel accepts. */
  readonly long: ReadonlyArray<string>
  readonly takesValue: boolean
  readonly repeatable: boolean
}

const spec = (
  name: string,
  options: {
    readonly short?: ReadonlyArray<string>
    readonly long?: ReadonlyArray<string>
    readonly value?: boolean
    readonly repeatable?: boolean
  } = {}
): OptionSpec => ({
  name,
  short: options.short ?? [],
  long: options.long ?? [],
  takesValue: options.value ?? false,
  repeatable: options.repeatable ?? false
})

/** @internal */
export const optionTable: ReadonlyArray<OptionSpec> = [
  spec("jobs", { short: ["j", "P"], long: ["max-procs"], value: true }),
  spec("keep-order", { short: ["k"] }),
  spec("group"),
  spec("line-buffer", { long: ["lb"] }),
  spec("ungroup", { short: ["u"] }),
  spec("tag"),
  spec("tagstring", { value: true }),
  spec("timeout", { value: true }),
  spec("retries", { value: true }),
  spec("halt", { long: ["halt-on-error"], value: true }),
  spec("delay", { value: true }),
  spec("joblog", { long: ["jl"], value: true }),
  spec("resume"),
  spec("resume-failed"),
  spec("dry-run", { long: ["dryrun"] }),
  spec("shell", { value: true }),
  spec("termseq", { long: ["term-seq"], value: true }),
  spec("bar"),
  spec("eta"),
  spec("progress"),
  spec("json"),
  spec("arg-file", { short: ["a"], value: true, repeatable: true }),
  spec("null", { short: ["0"] }),
  spec("delimiter", { short: ["d"], value: true }),
  spec("colsep", { short: ["C"], value: true }),
  spec("link", { long: ["xapply"] }),
  // GNU parallel's citation switches: accepted and ignored, so scripts that pass them keep working.
  spec("will-cite"),
  // Built into @effect/cli: passed through so it prints help, version and completions.
  spec("help", { short: ["h"] }),
  spec("version", { short: ["V"] }),
  spec("completions", { value: true })
]

const byShort = new Map<string, OptionSpec>()
const byLong = new Map<string, OptionSpec>()
for (const option of optionTable) {
  for (const s of option.short) byShort.set(s, option)
  byLong.set(option.name, option)
  for (const l of option.long) byLong.set(l, option)
}

const resolveLong = (word: string, name: string): OptionSpec => {
  const exact = byLong.get(name)
  if (exact !== undefined) return exact
  // Getopt::Long's auto_abbrev: a unique prefix of a long name names that option.
  const candidates = new Set<OptionSpec>()
  for (const [long, option] of byLong) {
    if (long.startsWith(name)) candidates.add(option)
  }
  if (candidates.size === 1) return [...candidates][0]
  if (candidates.size > 1) {
    const names = [...candidates].map((o) => `--${o.name}`).join(", ")
    throw new UsageError({ message: `${word}: ambiguous option, could be ${names}` })
  }
  throw new UsageError({ message: `${word}: unknown option (see fanout --help)` })
}

/** @internal */
export interface SplitArgv {
  /** Our options, spelled canonically (`--jobs`, `4`), each option once (the last one given wins). */
  readonly options: ReadonlyArray<string>
  /** Every option seen, by canonical name, with its values in order (repeatable ones keep all). */
  readonly values: ReadonlyMap<string, ReadonlyArray<string>>
  /** The command template and its input sources: everything from the first non-option word on. */
  readonly rest: ReadonlyArray<string>
}

const isOptionWord = (word: string): boolean => word.length > 1 && word.startsWith("-")

/**
 * @throws UsageError on an unknown option or a missing value.
 * @internal
 */
export const split = (argv: ReadonlyArray<string>): SplitArgv => {
  const values = new Map<string, Array<string>>()
  const order: Array<OptionSpec> = []
  const record = (option: OptionSpec, value: string) => {
    const seen = values.get(option.name)
    if (seen === undefined) {
      values.set(option.name, [value])
      order.push(option)
    } else if (option.repeatable) {
      seen.push(value)
    } else {
      seen.splice(0, seen.length, value)
    }
  }
  let i = 0
  const takeValue = (word: string, option: OptionSpec, inline: string | undefined): string => {
    if (inline !== undefined) return inline
    if (i + 1 >= argv.length) {
      throw new UsageError({ message: `${word}: expected a value after it` })
    }
    i += 1
    return argv[i]
  }
  for (; i < argv.length; i++) {
    const word = argv[i]
    if (word === "--") {
      i += 1
      break
    }
    if (!isOptionWord(word)) break
    if (word.startsWith("--")) {
      const eq = word.indexOf("=")
      const name = eq === -1 ? word.slice(2) : word.slice(2, eq)
      const inline = eq === -1 ? undefined : word.slice(eq + 1)
      const option = resolveLong(word, name)
      if (!option.takesValue && inline !== undefined) {
        throw new UsageError({ message: `--${option.name}: takes no value, got '${inline}'` })
      }
      record(option, option.takesValue ? takeValue(word, option, inline) : "")
      continue
    }
    // A bundle of short options: `-kj4`, `-kj 4`, `-j=4`.
    for (let c = 1; c < word.length; c++) {
      const letter = word[c]
      const option = byShort.get(letter)
      if (option === undefined) {
        throw new UsageError({
          message: `${c === 1 ? word : `-${letter}`}: unknown option${
            c === 1 ? "" : ` (in '${word}')`
          } (see fanout --help)`
        })
      }
      if (!option.takesValue) {
        record(option, "")
        continue
      }
      let inline: string | undefined = word.slice(c + 1)
      if (inline.startsWith("=")) inline = inline.slice(1)
      else if (inline === "") inline = undefined
      record(option, takeValue(`-${letter}`, option, inline))
      break
    }
  }
  // @effect/cli reads an empty value as none: `-a ''` would silently read stdin.
  if (values.get("arg-file")?.includes("") === true) {
    throw new UsageError({ message: "-a: expected a file name, got ''" })
  }
  if (values.get("shell")?.includes("") === true) {
    throw new UsageError({ message: "--shell: expected the path of a shell, got ''" })
  }
  const shell = values.get("completions")?.[0]
  if (shell !== undefined && !["sh", "bash", "fish", "zsh"].includes(shell)) {
    throw new UsageError({ message: `--completions: expected sh, bash, fish or zsh, got '${shell}'` })
  }
  const options: Array<string> = []
  for (const option of order) {
    for (const value of values.get(option.name)!) {
      options.push(`--${option.name}`)
      if (option.takesValue) options.push(value)
    }
  }
  return { options, values, rest: argv.slice(i) }
}
