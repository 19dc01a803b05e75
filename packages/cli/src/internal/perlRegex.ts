/**
 * GNU parallel reads `--colsep` as a Perl regular expression. The Perl-isms its
 * users write that JavaScript lacks are translated (POSIX bracket classes,
 * `\h`, `\A`, `\z`, a leading `(?i)`); those with no JavaScript equivalent are
 * rejected by name rather than silently never matching.
 *
 * @internal
 */

const posixClasses: Record<string, string> = {
  alnum: "a-zA-Z0-9",
  alpha: "a-zA-Z",
  ascii: "\\x00-\\x7f",
  blank: " \\t",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\s",
  upper: "A-Z",
  word: "\\w",
  xdigit: "0-9A-Fa-f"
}

/** Outside a bracket expression. */
const escapes: Record<string, string> = { h: "[ \\t]", A: "^", z: "$", Z: "(?=\\n?$)" }

const unsupported: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\\[QE]/, "\\Q...\\E quoting"],
  [/^\\[GK]/, "\\G and \\K"],
  [/^\(\?[#>|]/, "(?#...), (?>...) and (?|...) groups"],
  [/^\(\?[R0-9+&]/, "recursion"],
  [/^[*+?}]\+/, "possessive quantifiers"]
]

/** @internal */
export class PerlRegexError extends Error {
  constructor(readonly feature: string) {
    super(feature)
  }
}

const translateClass = (source: string, start: number): readonly [string, number] => {
  let out = "["
  let i = start + 1
  if (source[i] === "^") out += source[i++]
  if (source[i] === "]") out += "\\" + source[i++]
  while (i < source.length && source[i] !== "]") {
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(source.slice(i))
    if (posix !== null) {
      const chars = posixClasses[posix[2]]
      if (chars === undefined || posix[1] === "^") throw new PerlRegexError(`the POSIX class ${posix[0]}`)
      out += chars
      i += posix[0].length
    } else if (source[i] === "\\") {
      out += source[i + 1] === "h" ? " \\t" : source.slice(i, i + 2)
      i += 2
    } else {
      out += source[i] === "[" ? "\\[" : source[i]
      i++
    }
  }
  return [out + "]", i + 1]
}

/**
 * A JavaScript RegExp for a Perl regular expression; throws `PerlRegexError`
 * naming a feature it cannot translate, or `SyntaxError` for one that is invalid.
 *
 * @internal
 */
export const fromPerl = (perl: string): RegExp => {
  let flags = ""
  let source = perl
  if (source.startsWith("(?i)")) {
    flags = "i"
    source = source.slice(4)
  }
  let out = ""
  let i = 0
  while (i < source.length) {
    const rest = source.slice(i)
    const bad = unsupported.find(([pattern]) => pattern.test(rest))
    if (bad !== undefined) throw new PerlRegexError(bad[1])
    if (source[i] === "[") {
      const [translated, next] = translateClass(source, i)
      out += translated
      i = next
    } else if (source[i] === "\\") {
      out += escapes[source[i + 1]] ?? source.slice(i, i + 2)
      i += 2
    } else {
      out += source[i++]
    }
  }
  return new RegExp(out, flags)
}
