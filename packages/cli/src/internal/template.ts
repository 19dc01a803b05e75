/**
 * Job templates: GNU parallel's replacement strings and shell quoting.
 *
 * @internal
 */

/** @internal */
export type Transform = "none" | "noext" | "basename" | "dirname" | "basename-noext"

/** @internal */
export type Part =
  | { readonly _tag: "Literal"; readonly text: string }
  /** `position` is 1-based, negative counts from the end, undefined means every arg (`{}`). */
  | { readonly _tag: "Arg"; readonly position: number | undefined; readonly transform: Transform }
  | { readonly _tag: "Seq" }
  | { readonly _tag: "Slot" }

/** @internal */
export interface Template {
  /** Empty when there is no command: each input is then itself the command line. */
  readonly parts: ReadonlyArray<Part>
  readonly hasCommand: boolean
  /** No replacement string in the command: the args are appended, quoted, after a space. */
  readonly appendArgs: boolean
}

const replacement = /\{(?:(-?[1-9][0-9]*)?(\.|\/\/|\/\.|\/)?|(#)|(%))\}/g

const transforms: Record<string, Transform> = {
  "": "none",
  ".": "noext",
  "/": "basename",
  "//": "dirname",
  "/.": "basename-noext"
}

/**
 * The command words are joined with spaces as they are, like GNU parallel: the
 * template is shell code, only the substituted inputs are quoted.
 *
 * @internal
 */
export const parse = (words: ReadonlyArray<string>): Template => {
  const text = words.join(" ")
  const parts: Array<Part> = []
  let last = 0
  let replaced = false
  for (const match of text.matchAll(replacement)) {
    if (match.index > last) parts.push({ _tag: "Literal", text: text.slice(last, match.index) })
    last = match.index + match[0].length
    replaced = true
    if (match[3] !== undefined) parts.push({ _tag: "Seq" })
    else if (match[4] !== undefined) parts.push({ _tag: "Slot" })
    else {
      parts.push({
        _tag: "Arg",
        position: match[1] === undefined ? undefined : Number(match[1]),
        transform: transforms[match[2] ?? ""]
      })
    }
  }
  if (last < text.length) parts.push({ _tag: "Literal", text: text.slice(last) })
  return { parts, hasCommand: words.length > 0 && text !== "", appendArgs: !replaced }
}

/**
 * Quotes for a Bourne shell only when needed, exactly as GNU parallel
 * (`shell_quote_scalar_default`): so `--dry-run` prints the same line.
 *
 * @internal
 */
export const quote = (value: string): string => {
  if (value === "") return "''"
  if (!/[^-_.+a-zA-Z0-9/]/.test(value)) return value
  let quoted = `'${value.replaceAll("'", `'"'"'`)}'`
  if (quoted.startsWith("''")) quoted = quoted.slice(2)
  if (quoted.endsWith("''")) quoted = quoted.slice(0, -2)
  return quoted
}

/** Perl's File::Basename::dirname on Unix, which GNU parallel's `{//}` uses. */
const dirname = (path: string): string => {
  const stripTrailing = (dir: string) => dir.replace(/(.)\/*$/s, "$1")
  const parse = (full: string): [string, string] => {
    const slash = full.lastIndexOf("/")
    return slash === -1 ? ["./", full] : [full.slice(0, slash + 1), full.slice(slash + 1)]
  }
  let [dir, base] = parse(path)
  dir = stripTrailing(dir)
  if (base === "") {
    ;[dir, base] = parse(dir)
    dir = stripTrailing(dir)
  }
  return dir
}

const removeExtension = (value: string) => value.replace(/\.[^/.]*$/, "")
const basename = (value: string) => value.replace(/[^\n]*\//, "")

/** @internal */
export const transform = (value: string, how: Transform): string => {
  switch (how) {
    case "none":
      return value
    case "noext":
      return removeExtension(value)
    case "basename":
      return basename(value)
    case "dirname":
      return dirname(value)
    case "basename-noext":
      return removeExtension(basename(value))
  }
}

/**
 * The command line for one job. `args` are the job's inputs: one per input
 * source, or the columns of each with `--colsep`.
 *
 * @internal
 */
export const render = (
  template: Template,
  args: ReadonlyArray<string>,
  seq: number,
  slot: number,
  quoteArg: (value: string) => string = quote
): string => {
  if (!template.hasCommand) return args.join(" ")
  let line = ""
  for (const part of template.parts) {
    switch (part._tag) {
      case "Literal":
        line += part.text
        break
      case "Seq":
        line += String(seq)
        break
      case "Slot":
        line += String(slot)
        break
      case "Arg": {
        if (part.position === undefined) {
          line += args.map((arg) => quoteArg(transform(arg, part.transform))).join(" ")
        } else {
          const index = part.position > 0 ? part.position - 1 : args.length + part.position
          // Past the last input it is empty, unquoted, as in GNU parallel.
          const arg = args[index]
          if (arg !== undefined) line += quoteArg(transform(arg, part.transform))
        }
        break
      }
    }
  }
  if (template.appendArgs) line += " " + args.map(quoteArg).join(" ")
  return line
}
