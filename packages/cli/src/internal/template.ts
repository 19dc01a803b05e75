/**
 * Job templates: the command words with their replacement strings found (the
 * way GNU parallel finds them: longest shorthand first, then its positional
 * form `{N...}`), and a job's command line made from them — with `-X`'s
 * context (the word around a replacement string repeated per input), `-q`,
 * and GNU parallel's shell quoting.
 *
 * @internal
 */
import { quote as shellQuote } from "@fanout/shell/Job"
import { UsageError } from "./exit.js"
import { defaultRules, type Expr, type JobInfo, type Rule } from "./replacements.js"

/** @internal */
export type Token =
  /** Between two command words: an unquoted space, where `-q` quotes. */
  | { readonly _tag: "Space" }
  /** Text of a word; each blank in a word is a token of its own. */
  | { readonly _tag: "Text"; readonly text: string }
  /** `position` is 1-based, negative from the end; undefined: every input in turn. */
  | { readonly _tag: "Replace"; readonly position: number | undefined; readonly expr: Expr }

/** @internal */
export type Trim = "n" | "l" | "r" | "lr"

/** @internal */
export interface TemplateOptions {
  readonly rules: ReadonlyArray<Rule>
  /** `-X`, `-N`, `-L`: a word holding a replacement string is repeated for each input. */
  readonly context: boolean
  /** `-q`: every word is quoted (the inputs are not quoted again). */
  readonly quoteAll: boolean
  readonly trim: Trim
}

/** What GNU parallel measures of the template to bound a command line's length before making it. */
interface Measure {
  /** Each replacement's key with how often it occurs. */
  readonly counts: ReadonlyMap<string, { readonly position: number | undefined; readonly expr: Expr; n: number }>
  /** Length of the words holding a replacement string, without it. */
  readonly context: number
  readonly contextWords: number
  /** Length of the other text. */
  readonly other: number
  readonly words: number
  /** Replacement strings in all, and what their values may add beyond the input ({@link lengthBound}). */
  readonly uses: number
  readonly fixed: number
}

/** @internal */
type Unit =
  | Extract<Token, { _tag: "Space" | "Text" }>
  | { readonly _tag: "Repeat"; readonly tokens: ReadonlyArray<Token> }

/** @internal */
export interface Template {
  readonly tokens: ReadonlyArray<Token>
  readonly units: ReadonlyArray<Unit>
  /** False without command words: each input is then itself the command line. */
  readonly hasCommand: boolean
  readonly options: TemplateOptions
  /** False when a replacement string is (part of) the command name: `{}`, `my_{}.sh`; the inputs are code then. */
  readonly quoteArgs: boolean
  readonly needsTotal: boolean
  readonly measure: Measure
}

/** GNU parallel's defaults: no `--plus`, `-X`, `-q` or `--trim`. @internal */
export const defaultOptions: TemplateOptions = { rules: defaultRules, context: false, quoteAll: false, trim: "n" }

/** The template's own text, what the user wrote: each replacement string is `stand`. @internal */
export const literalText = (template: Template, stand = " "): string =>
  template.tokens.map((token) => token._tag === "Replace" ? stand : token._tag === "Space" ? " " : token.text).join("")

/** GNU parallel's `\0noarg`: the input of `-n0`, which prints as nothing at all. @internal */
export const noArg = "\0noarg"

/**
 * Quotes for a Bourne shell only when needed, exactly as GNU parallel
 * (`shell_quote_scalar_default`): so `--dry-run` prints the same line. The
 * joblog's text of a one-word argv is that word so quoted: one rule for both.
 *
 * @internal
 */
export const quote: (value: string) => string = shellQuote

type Segment = { readonly _tag: "Text"; readonly text: string } | Extract<Token, { _tag: "Replace" }>

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

interface Compiled {
  readonly rule: Rule
  readonly named: RegExp
  readonly positional: RegExp | undefined
}

/** A shorthand as GNU parallel reads it: prefix, `(...)` groups as a regular expression, postfix. */
const compile = (rule: Rule): Compiled => {
  const [, prefix, groups = "", postfix] = /^([^(]*)(\(.*\))?([^)]*)$/s.exec(rule.shorthand) ??
    ["", rule.shorthand, "", ""]
  const body = `${groups}${escape(postfix)}`
  return {
    rule,
    named: new RegExp(`${escape(prefix)}${body}`, "gs"),
    positional: prefix.startsWith("{")
      ? new RegExp(`\\{(-?\\d+)\\s*${escape(prefix.slice(1))}${body}`, "gs")
      : undefined
  }
}

const badRule = (shorthand: string, error: unknown) =>
  new UsageError({
    message: `${shorthand}: cannot be used: ${error instanceof Error ? error.message : String(error)}`
  })

/** Each text segment with the matches of `regex` made replacements. */
const replaceIn = (
  segments: ReadonlyArray<Segment>,
  regex: RegExp,
  make: (match: RegExpExecArray) => Segment
): Array<Segment> =>
  segments.flatMap((segment) => {
    if (segment._tag !== "Text") return [segment]
    const out: Array<Segment> = []
    let last = 0
    for (const match of segment.text.matchAll(regex)) {
      if (match.index > last) out.push({ _tag: "Text", text: segment.text.slice(last, match.index) })
      out.push(make(match))
      last = match.index + match[0].length
    }
    if (out.length === 0) return [segment]
    if (last < segment.text.length) out.push({ _tag: "Text", text: segment.text.slice(last) })
    return out
  })

const made = (compiled: Compiled, match: RegExpExecArray, groups: ReadonlyArray<string>): Expr => {
  try {
    return compiled.rule.make(groups)
  } catch (error) {
    throw badRule(match[0], error)
  }
}

const segmentsOf = (word: string, rules: ReadonlyArray<Compiled>): Array<Segment> => {
  let segments: Array<Segment> = [{ _tag: "Text", text: word }]
  for (const compiled of rules) {
    segments = replaceIn(segments, compiled.named, (match) => {
      const expr = made(compiled, match, match.slice(1))
      // `1 $_=...`: GNU parallel's job values are positional on the first input.
      return { _tag: "Replace", position: expr.ofJob ? 1 : undefined, expr }
    })
    if (compiled.positional === undefined) continue
    segments = replaceIn(segments, compiled.positional, (match) => {
      return { _tag: "Replace", position: Number(match[1]), expr: made(compiled, match, match.slice(2)) }
    })
  }
  return segments
}

const keyOf = (position: number | undefined, expr: Expr) =>
  position === undefined ? expr.key : `${position} ${expr.key}`

const measureOf = (words: ReadonlyArray<ReadonlyArray<Segment>>): Measure => {
  const counts = new Map<string, { position: number | undefined; expr: Expr; n: number }>()
  let context = 0
  let contextWords = 0
  let other = 0
  for (const word of words) {
    let text = ""
    for (const segment of word) {
      if (segment._tag === "Text") {
        text += segment.text
        continue
      }
      text += "\0"
      const key = keyOf(segment.position, segment.expr)
      const seen = counts.get(key)
      if (seen === undefined) counts.set(key, { position: segment.position, expr: segment.expr, n: 1 })
      else seen.n += 1
    }
    const rest = text.replace(/\S*\0\S*/g, (run) => {
      context += run.replaceAll("\0", "").length
      contextWords += 1
      return ""
    })
    other += rest.length
  }
  let uses = 0
  let fixed = 0
  for (const { expr, n } of counts.values()) {
    uses += n
    fixed += n * (32 + expr.key.length)
  }
  return { counts, context, contextWords, other, words: words.length, uses, fixed }
}

/**
 * The command words, joined by spaces as GNU parallel joins them: the
 * template is shell code, only the substituted inputs are quoted. Without a
 * replacement string, `{}` is appended as a word of its own (unless `appendArgs`
 * is false: a tag is text, nothing is added to it).
 *
 * @throws UsageError on a replacement string whose pattern cannot be compiled, or `{= =}`.
 * @internal
 */
export const parse = (
  command: ReadonlyArray<string>,
  options: TemplateOptions = defaultOptions,
  appendArgs = true
): Template => {
  // GNU parallel joins `{=` and `=}` across words.
  const perlExpression = /\{=.*?=\}/s.exec(command.join(" "))
  if (perlExpression !== null) {
    throw new UsageError({
      message: `${perlExpression[0]}: expected replacement strings, got a perl expression, which fanout cannot run`
    })
  }
  // Longest first, as a short one may be part of a long one (`{/}` of `{/.}`).
  const rules = [...options.rules]
    .sort((a, b) => b.shorthand.length - a.shorthand.length)
    .map(compile)
  const words = command.map((word) => segmentsOf(word, rules))
  if (appendArgs && !words.some((word) => word.some((segment) => segment._tag === "Replace"))) {
    words.push([{ _tag: "Replace", position: undefined, expr: defaultRules[0].make([]) }])
  }
  const tokens: Array<Token> = []
  for (const [i, word] of words.entries()) {
    if (i > 0) tokens.push({ _tag: "Space" })
    if (word.length === 1 && word[0]._tag === "Text" && word[0].text === "") tokens.push(word[0])
    for (const segment of word) {
      if (segment._tag === "Replace") tokens.push(segment)
      else for (const text of segment.text.split(/(?=\s)|(?<=\s)/)) if (text !== "") tokens.push({ _tag: "Text", text })
    }
  }
  const shape = words.map((word) => word.map((s) => s._tag === "Text" ? s.text : "\x01").join("")).join(" ")
  return {
    tokens,
    units: unitsOf(tokens, options.context),
    hasCommand: command.join(" ") !== "",
    options,
    quoteArgs: !/^[^ \t\n=]*\x01/.test(shape),
    needsTotal: tokens.some((token) => token._tag === "Replace" && token.expr.needsTotal),
    measure: measureOf(words)
  }
}

/** A job's inputs (one per source, or column, for each record it took) and what it is. @internal */
export interface Job extends JobInfo {
  readonly args: ReadonlyArray<string>
}

const trimmers: Record<Trim, (value: string) => string> = {
  n: (value) => value,
  l: (value) => value.replace(/^[ \t\n\r\f\v]+/, ""),
  r: (value) => value.replace(/[ \t\n\r\f\v]+$/, ""),
  lr: (value) => value.replace(/^[ \t\n\r\f\v]+/, "").replace(/[ \t\n\r\f\v]+$/, "")
}

const valueOf = (
  template: Template,
  quoteArg: boolean,
  arg: string,
  expr: Expr,
  job: JobInfo
): string => {
  const value = expr.apply(trimmers[template.options.trim](arg), job)
  return quoteArg && !expr.unquoted ? quote(value) : value
}

/** The input at `position` (Perl's array index: negative counts from the end, twice if need be). */
const at = (args: ReadonlyArray<string>, position: number): string | undefined => {
  let index = position > 0 ? position - 1 : args.length + position
  if (index < 0) index += args.length
  return args[index]
}

/** A quoted -n0 input, which is not there either. */
const quotedNoArg = quote(noArg)

/** Writes a command line: straight into a string, or word by word for `-q` to quote each. */
class LineWriter {
  private line = ""
  private word: string | undefined
  private readonly words: Array<string> = []
  constructor(private readonly quoteAll: boolean) {}

  text(piece: string): void {
    // -n0's inputs are not there at all: not even an empty word.
    if (piece === noArg || piece === quotedNoArg) return
    if (this.quoteAll) this.word = (this.word ?? "") + piece
    else this.line += piece
  }

  /** Between words: never quoted. */
  space(): void {
    if (!this.quoteAll) {
      this.line += " "
      return
    }
    if (this.word !== undefined) this.words.push(quote(this.word))
    this.word = undefined
  }

  done(): string {
    if (!this.quoteAll) return this.line
    this.space()
    return this.words.join(" ")
  }
}

/** `tokens` once for each input, or once when none of them takes every input in turn. */
const repeat = (
  out: LineWriter,
  template: Template,
  tokens: ReadonlyArray<Token>,
  job: Job,
  args: ReadonlyArray<string>,
  quoteArg: boolean
) => {
  for (let i = 0; i < args.length; i++) {
    let every = false
    if (i > 0) out.space()
    for (const token of tokens) {
      if (token._tag === "Text") out.text(token.text)
      else if (token._tag === "Space") out.space()
      else if (token.position !== undefined) {
        const value = at(args, token.position)
        out.text(value === undefined ? "" : valueOf(template, quoteArg, value, token.expr, job))
      } else {
        every = true
        out.text(valueOf(template, quoteArg, args[i], token.expr, job))
      }
    }
    if (!every) break
  }
}

/** The command line of one job, or its tag (`quoteArg` false). @internal */
export const render = (
  template: Template,
  job: Job,
  quoteArg = template.quoteArgs && !template.options.quoteAll
): string => {
  const args = job.args.length === 0 ? [""] : job.args
  const out = new LineWriter(template.options.quoteAll)
  for (const unit of template.units) {
    if (unit._tag === "Space") out.space()
    else if (unit._tag === "Text") out.text(unit.text)
    else repeat(out, template, unit.tokens, job, args, quoteArg)
  }
  return out.done()
}

/**
 * The tokens as they are written: a word holding a replacement string (with
 * `-X`'s context, the blank-separated part of a word around it; without, the
 * replacement string alone) is repeated for the inputs, the rest written once.
 */
const unitsOf = (tokens: ReadonlyArray<Token>, context: boolean): Array<Unit> => {
  const units: Array<Unit> = []
  if (!context) {
    for (const token of tokens) units.push(token._tag === "Replace" ? { _tag: "Repeat", tokens: [token] } : token)
    return units
  }
  let group: Array<Token> = []
  const flush = () => {
    if (group.some((token) => token._tag === "Replace")) units.push({ _tag: "Repeat", tokens: group })
    else for (const token of group) units.push(token as Extract<Token, { _tag: "Text" }>)
    group = []
  }
  for (const token of tokens) {
    const blank = token._tag === "Text" && (token.text === " " || token.text === "\t")
    if (blank || token._tag === "Space") flush()
    // A TAB ends a group and starts the next, as in GNU parallel.
    if (token._tag === "Space" || (blank && token.text === " ")) units.push(token as Unit)
    else group.push(token)
  }
  flush()
  return units
}

/**
 * More than {@link LineLength} can come to for a record, cheaply: a quoted
 * character is at most 5 (`'"'"'`), a value not taken from the input (`{#}`,
 * `{:-text}`) at most 32 + its text. Most lines are far shorter than the
 * limit, and need no exact estimate.
 *
 * @internal
 */
export const lengthBound = (template: Template, record: ReadonlyArray<string>, first: boolean): number => {
  const { context, contextWords, fixed, other, uses, words } = template.measure
  let chars = 0
  for (const arg of record) chars += arg.length
  let bound = (5 * chars + 2 * record.length) * uses + fixed + record.length * (uses + context + contextWords)
  if (first) bound += other + words + context
  return template.options.quoteAll ? bound * 3 : bound
}

/**
 * GNU parallel's estimate of a command line's length as records are added
 * (`CommandLine::len`), so `-X`, `-m`, `--xargs` and `-s` cut where it cuts.
 *
 * @internal
 */
export class LineLength {
  private readonly lengths = new Map<string, number>()
  private records = 0
  private recordSize = 0
  constructor(private readonly template: Template) {}

  private add(record: ReadonlyArray<string>, job: JobInfo, sign: 1 | -1): void {
    const quoteArg = this.template.quoteArgs && !this.template.options.quoteAll
    for (const [key, { expr, position }] of this.template.measure.counts) {
      let sum = 0
      if (position !== undefined) {
        // GNU parallel counts the position within the record.
        const arg = position > 0 ? record[position - 1] : record[record.length + position]
        if (arg !== undefined) sum = valueOf(this.template, quoteArg, arg, expr, job).length
      } else {
        for (const arg of record) sum += valueOf(this.template, quoteArg, arg, expr, job).length
      }
      this.lengths.set(key, (this.lengths.get(key) ?? 0) + sign * sum)
    }
  }

  push(record: ReadonlyArray<string>, job: JobInfo): void {
    if (this.records === 0) this.recordSize = record.length
    this.records += 1
    this.add(record, job, 1)
  }

  pop(record: ReadonlyArray<string>, job: JobInfo): void {
    this.records -= 1
    this.add(record, job, -1)
  }

  get value(): number {
    const { context, contextWords, counts, other, words } = this.template.measure
    const args = this.records * this.recordSize
    let length = other + words - 1
    if (this.template.options.context) {
      length += args * context + (args - 1) * contextWords
      for (const [key, { n }] of counts) length += (this.lengths.get(key) ?? 0) * n
    } else {
      length += context
      for (const [key, { n }] of counts) length += (args - 1 + (this.lengths.get(key) ?? 0)) * n
    }
    // GNU parallel's pessimistic bound under -q: every character may become three.
    return this.template.options.quoteAll ? length * 3 : length
  }
}
