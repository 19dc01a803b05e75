/**
 * GNU parallel's replacement strings, what each does to one input: `{}`
 * `{.}` `{/}` `{//}` `{/.}` `{#}` `{%}`, and with `--plus` `{+/}` `{+.}`
 * `{..}` `{...}` `{/..}` `{##}` `{0#}` `{0%}` `{slot}` and the bash-like
 * `{:-x}` `{:2}` `{#pat}` `{%pat}` `{/pat/rep}` `{^pat}` ... (20221122's
 * table, each Perl expression written again in TypeScript).
 *
 * @internal
 */
import { fromPerl } from "./perlRegex.js"

/** What a replacement string may read besides the input. @internal */
export interface JobInfo {
  readonly seq: number
  readonly slot: number
  /** Jobs in all (`{##}`, `{0#}`); only read when the template asks for it. */
  readonly total: number
  /** Job slots (`{0%}` is padded to their width). */
  readonly slots: number
}

/** One replacement, as GNU parallel's Perl expression for it. @internal */
export interface Expr {
  /** The same key is the same expression (GNU counts each for the command line's length). */
  readonly key: string
  readonly apply: (value: string, job: JobInfo) => string
  /**
   * The value is the job's, not an input's (`{#}`, `{##}`): GNU parallel's `1 $_=...`,
   * which makes it positional on the first input, so it is printed once.
   */
  readonly ofJob: boolean
  /** Its value is shell code, never quoted (GNU parallel's `uq()`). */
  readonly unquoted: boolean
  readonly needsTotal: boolean
}

/** A shorthand and the expression it stands for; `(...)` in it captures what `make` is given. @internal */
export interface Rule {
  readonly shorthand: string
  readonly make: (groups: ReadonlyArray<string>) => Expr
}

const expr = (key: string, apply: (value: string) => string): Expr => ({
  key,
  apply,
  ofJob: false,
  unquoted: false,
  needsTotal: false
})

const ofJob = (key: string, apply: (job: JobInfo) => string, options: Partial<Expr> = {}): Expr => ({
  key,
  apply: (_, job) => apply(job),
  ofJob: true,
  unquoted: false,
  needsTotal: false,
  ...options
})

const fixed = (shorthand: string, made: Expr): Rule => ({ shorthand, make: () => made })

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

// Perl's `.` stops at a newline, as JavaScript's does; `$` also matches before a final newline.
const basename = (value: string) => value.replace(/.*\//, "")
const noExtension = (value: string) => value.replace(/\.[^/.]*(?=\n?$)/, "")
const noExtensions = (n: number) => {
  const pattern = new RegExp(`${"\\.[^/.]*".repeat(n)}(?=\\n?$)`)
  return (value: string) => value.replace(pattern, "")
}
/** `s:...:: || s:.*$::`: when the first does not match, the value becomes empty. */
const orEmpty = (pattern: RegExp, replacement: string) => (value: string) =>
  pattern.test(value) ? value.replace(pattern, replacement) : value.replace(/.*(?=\n?$)/, "")
const extensions = (n: number) =>
  orEmpty(new RegExp(`.*\\.(${Array.from({ length: n }, () => "[^/.]*").join("\\.")})(?=\\n?$)`), "$1")

const padded = (value: number, width: number) => String(value).padStart(width, "0")
const digits = (n: number) => 1 + Math.floor(Math.log(n) / Math.log(10) + 1e-12)

/** @internal */
export const defaultRules: ReadonlyArray<Rule> = [
  fixed("{}", expr("{}", (value) => value)),
  fixed("{#}", ofJob("{#}", (job) => String(job.seq))),
  fixed("{%}", ofJob("{%}", (job) => String(job.slot))),
  fixed("{/}", expr("{/}", basename)),
  fixed("{//}", expr("{//}", dirname)),
  fixed("{/.}", expr("{/.}", (value) => noExtension(basename(value)))),
  fixed("{.}", expr("{.}", noExtension))
]

/** A Perl pattern given in a replacement string, as GNU parallel interpolates it into `s///`. */
const perl = (pattern: string, before = "", after = "", flags = ""): RegExp => {
  const translated = fromPerl(pattern)
  return new RegExp(`${before}(?:${translated.source})${after}`, translated.flags + flags)
}

/** GNU parallel's make_regexp_ungreedy: every quantifier outside a class made lazy. */
export const ungreedy = (pattern: string): string => {
  let out = ""
  let inClass = false
  let escaped = false
  let found = false
  for (const c of pattern) {
    if (found && c !== "?") out += "?"
    found = false
    out += c
    if (escaped) escaped = false
    else if (c === "\\") escaped = true
    else if (c === "[") inClass = true
    else if (inClass) inClass = c !== "]"
    else if (c === "*" || c === "}" || c === "+") found = true
  }
  return found ? out + "?" : out
}

const caseRule = (shorthand: string, key: string, all: boolean, change: (s: string) => string): Rule => ({
  shorthand,
  make: ([pattern]) => {
    const regex = perl(pattern, all ? "(" : "^(", ")", all ? "g" : "")
    return expr(`${key}${pattern}`, (value) => value.replace(regex, (match) => change(match)))
  }
})

const substitute = (shorthand: string, key: string, before: string, after: string, global: boolean): Rule => ({
  shorthand,
  make: ([pattern, replacement]) => {
    const regex = perl(pattern, before, after, global ? "g" : "")
    return expr(`${key}${pattern}/${replacement}`, (value) => value.replace(regex, () => replacement))
  }
})

/** `--plus`: GNU parallel's `%Global::plus`. @internal */
export const plusRules: ReadonlyArray<Rule> = [
  fixed("{+/}", expr("{+/}", orEmpty(/\/[^/]*(?=\n?$)/, ""))),
  fixed("{+.}", expr("{+.}", orEmpty(/.*\./, ""))),
  fixed("{+..}", expr("{+..}", extensions(2))),
  fixed("{+...}", expr("{+...}", extensions(3))),
  fixed("{..}", expr("{..}", noExtensions(2))),
  fixed("{...}", expr("{...}", noExtensions(3))),
  fixed("{/..}", expr("{/..}", (value) => noExtensions(2)(basename(value)))),
  fixed("{/...}", expr("{/...}", (value) => noExtensions(3)(basename(value)))),
  fixed("{##}", ofJob("{##}", (job) => String(job.total), { needsTotal: true })),
  fixed("{0%}", ofJob("{0%}", (job) => padded(job.slot, digits(job.slots)))),
  fixed("{0#}", ofJob("{0#}", (job) => padded(job.seq, digits(job.total)), { needsTotal: true })),
  // Bash's ${a:-x}: Perl's `||=`, so "0" is replaced as "" is.
  {
    shorthand: "{:-([^}]+?)}",
    make: ([fallback]) => expr(`{:-${fallback}`, (value) => value === "" || value === "0" ? fallback : value)
  },
  { shorthand: "{:(\\d+?)}", make: ([from]) => expr(`{:${from}`, (value) => value.slice(Number(from))) },
  {
    shorthand: "{:(\\d+?):(\\d+?)}",
    make: ([from, length]) =>
      expr(`{:${from}:${length}`, (value) => value.slice(Number(from), Number(from) + Number(length)))
  },
  {
    shorthand: "{#([^#}][^}]*?)}",
    make: ([pattern]) => {
      const regex = new RegExp(`^(?:${fromPerl(ungreedy(pattern)).source})`)
      return expr(`{#${pattern}`, (value) => value.replace(regex, ""))
    }
  },
  {
    shorthand: "{##([^#}][^}]*?)}",
    make: ([pattern]) => {
      const regex = perl(pattern, "^")
      return expr(`{##${pattern}`, (value) => value.replace(regex, ""))
    }
  },
  {
    shorthand: "{%([^}]+?)}",
    make: ([pattern]) => {
      const regex = new RegExp(`^(.*)(?:${fromPerl(ungreedy(pattern)).source})(?=\\n?$)`)
      return expr(`{%${pattern}`, (value) => value.replace(regex, "$1"))
    }
  },
  {
    shorthand: "{%%([^}]+?)}",
    make: ([pattern]) => {
      const regex = perl(pattern, "", "(?=\\n?$)")
      return expr(`{%%${pattern}`, (value) => value.replace(regex, ""))
    }
  },
  substitute("{/([^#%}/]+?)/([^}]*?)}", "{/", "", "", false),
  substitute("{/#([^}]+?)/([^}]*?)}", "{/#", "^", "", true),
  substitute("{/%([^}]+?)/([^}]*?)}", "{/%", "", "(?=\\n?$)", true),
  substitute("{//([^}]+?)/([^}]*?)}", "{//", "", "", true),
  caseRule("{^([^}]+?)}", "{^", false, (s) => s.toUpperCase()),
  caseRule("{^^([^}]+?)}", "{^^", true, (s) => s.toUpperCase()),
  caseRule("{,([^}]+?)}", "{,", false, (s) => s.toLowerCase()),
  caseRule("{,,([^}]+?)}", "{,,", true, (s) => s.toLowerCase()),
  // Jobs skipped by their inputs (GNU parallel counts them as failed): not supported, so said, not printed as text.
  ...["{choose_k}", "{uniq}"].map((shorthand): Rule => ({
    shorthand,
    make: () => {
      throw new Error("it skips jobs, which fanout does not support")
    }
  })),
  // Shell variables the job's environment sets: printed as they are, for the shell to expand.
  ...[["{slot}", "PARALLEL_JOBSLOT"], ["{host}", "PARALLEL_SSHHOST"], ["{sshlogin}", "PARALLEL_SSHLOGIN"], [
    "{hgrp}",
    "PARALLEL_HOSTGROUPS"
  ], ["{agrp}", "PARALLEL_ARGHOSTGROUPS"]].map(([shorthand, name]) =>
    fixed(shorthand, ofJob(shorthand, () => `\${${name}}`, { unquoted: true }))
  )
]

/** How the rules are chosen: `--plus`, and `-I`/`--replace` renaming `{}`. @internal */
export interface RuleOptions {
  readonly plus: boolean
  /**
   * Strings spelled another way, in the order given: `-I STR` spells `{}` STR (with no positional
   * `{N}` form unless STR starts with `{`), `--er STR` spells `{.}`, and so on.
   */
  readonly spellings: ReadonlyArray<readonly [string, string]>
}

/** @internal */
export const rulesOf = (options: RuleOptions): ReadonlyArray<Rule> => {
  let rules = options.plus ? [...plusRules, ...defaultRules] : [...defaultRules]
  for (const [from, to] of options.spellings) {
    const rule = rules.find((each) => each.shorthand === from)
    if (rule === undefined || from === to) continue
    // Another rule spelled the same way is replaced, as a Perl hash entry is.
    rules = [{ ...rule, shorthand: to }, ...rules.filter((each) => each !== rule && each.shorthand !== to)]
  }
  return rules
}
