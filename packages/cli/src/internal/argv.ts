/**
 * Splits `fanout`'s argv into our options and the rest (command template and
 * input sources), the way GNU parallel's Getopt::Long (`require_order`,
 * bundling, unique abbreviations) does: our options end at the first word
 * that is not one of them, or at `--`.
 *
 * @internal
 */
import { UsageError } from "./exit.js"
import { type OptionSpec, optionTable, type Unsupported, unsupportedOptions } from "./options.js"

export { UsageError }

const byShort = new Map<string, OptionSpec>()
const byLong = new Map<string, OptionSpec>()
for (const option of optionTable) {
  for (const s of [...option.short, ...(option.name.length === 1 ? [option.name] : [])]) byShort.set(s, option)
  byLong.set(option.name, option)
  for (const l of option.long) byLong.set(l, option)
}

const unsupportedLong = new Map<string, Unsupported>()
const unsupportedShort = new Map<string, Unsupported>()
for (const option of unsupportedOptions) {
  for (const l of option.long) unsupportedLong.set(l, option)
  for (const s of option.short ?? []) unsupportedShort.set(s, option)
}

const notSupported = (word: string, option: Unsupported) =>
  new UsageError({ message: `${word}: not supported by fanout; ${option.instead}` })

const resolveLong = (word: string, name: string): OptionSpec => {
  const exact = byLong.get(name)
  if (exact !== undefined) return exact
  const refused = unsupportedLong.get(name)
  if (refused !== undefined) throw notSupported(word, refused)
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
  const refusedPrefix = new Set([...unsupportedLong].filter(([long]) => long.startsWith(name)).map(([, o]) => o))
  if (refusedPrefix.size === 1) throw notSupported(word, [...refusedPrefix][0])
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
    if (option.optional !== undefined) {
      if (i + 1 >= argv.length || !option.optional(argv[i + 1])) return ""
      i += 1
      return argv[i]
    }
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
      if (option.value === undefined && inline !== undefined) {
        throw new UsageError({ message: `--${option.name}: takes no value, got '${inline}'` })
      }
      record(option, option.value !== undefined ? takeValue(word, option, inline) : "")
      continue
    }
    // A bundle of short options: `-kj4`, `-kj 4`, `-j=4`.
    for (let c = 1; c < word.length; c++) {
      const letter = word[c]
      const option = byShort.get(letter)
      const refused = unsupportedShort.get(letter)
      if (option === undefined && refused !== undefined) throw notSupported(`-${letter}`, refused)
      if (option === undefined) {
        throw new UsageError({
          message: `${c === 1 ? word : `-${letter}`}: unknown option${
            c === 1 ? "" : ` (in '${word}')`
          } (see fanout --help)`
        })
      }
      if (option.value === undefined) {
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
  const options: Array<string> = []
  for (const option of order) {
    for (const value of values.get(option.name)!) {
      options.push(`--${option.name}`)
      if (option.value !== undefined) options.push(value)
    }
  }
  return { options, values, rest: argv.slice(i) }
}

/**
 * Words of a line as a shell would split them, as Perl's `Text::ParseWords::shellwords`
 * (how GNU parallel reads `$PARALLEL`): blanks separate words, `'…'` is literal, and a
 * backslash takes the next character literally, also inside `"…"`.
 *
 * @throws UsageError on an unclosed quote.
 * @internal
 */
export const shellWords = (line: string, origin = "$PARALLEL"): Array<string> => {
  const words: Array<string> = []
  let word: string | undefined
  let quote: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quote === "'") {
      if (c === "'") quote = undefined
      else word += c
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i]
    } else if (quote === "\"") {
      if (c === "\"") quote = undefined
      else word += c
    } else if (c === "'" || c === "\"") {
      quote = c
      word ??= ""
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else {
      word = (word ?? "") + c
    }
  }
  if (quote !== undefined) throw new UsageError({ message: `${origin}: expected a closing ${quote}, got '${line}'` })
  if (word !== undefined) words.push(word)
  return words
}

/**
 * argv with `$PARALLEL`'s default options, as GNU parallel reads them: its words are split
 * like a shell's, their options come first (so the command line's win), and any words left
 * after its options go before the command line's own command.
 *
 * @internal
 */
export const splitWithDefaults = (argv: ReadonlyArray<string>, defaults: string | undefined): SplitArgv => {
  const given = split(argv)
  if (defaults === undefined || defaults.trim() === "") return given
  let base: SplitArgv
  try {
    base = split(shellWords(defaults))
  } catch (error) {
    if (error instanceof UsageError && !error.message.startsWith("$PARALLEL")) {
      throw new UsageError({ message: `$PARALLEL: ${error.message}` })
    }
    throw error
  }
  const values = new Map(base.values)
  for (const [name, list] of given.values) {
    const option = byLong.get(name)!
    values.set(name, option.repeatable ? [...(values.get(name) ?? []), ...list] : list)
  }
  return { options: [...base.options, ...given.options], values, rest: [...base.rest, ...given.rest] }
}
