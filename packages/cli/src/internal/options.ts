/**
 * Every option of `fanout`, declared once: its names, whether it takes a
 * value, what it sets in the `Settings` (through a parser to `@fanout/shell`'s
 * own types), its line in `--help` and its group there. The splitter
 * (`argv.ts`), `Config` (`config.ts`), the help screen (`help.ts`) and the
 * completions (`completions.ts`) are all read off this table.
 *
 * To add an option: a field in `Settings` and its default, and a row below.
 *
 * @internal
 */
import type { Batch, Halt, Joblog, Output, TermSeq } from "@fanout/shell"
import type * as Duration from "effect/Duration"
import * as os from "node:os"
import { bad } from "./exit.js"
import { defaultSeparators, type Separators, unescapeDelimiter } from "./inputs.js"
import type { Trim } from "./template.js"
import * as Values from "./values.js"

/** What the options set; the command template and the inputs are added in `config.ts`. @internal */
export interface Settings {
  /** Job slots; `Infinity` for `-j 0`. */
  readonly jobs: number
  readonly keepOrder: boolean
  readonly output: Output.OutputMode
  readonly tag: boolean
  readonly tagString: string | undefined
  readonly timeout: Batch.Timeout | undefined
  /** Runs of a failing job in all (GNU parallel's --retries; 0 = until it succeeds). */
  readonly retries: number
  readonly halt: Halt.HaltPolicy
  /** Time between job starts. */
  readonly delay: Duration.Duration | undefined
  readonly joblog: string | undefined
  readonly resume: Joblog.ResumeMode | undefined
  readonly dryRun: boolean
  readonly shell: string | undefined
  readonly termSeq: TermSeq.TermSeq | undefined
  readonly bar: boolean
  readonly eta: boolean
  readonly progress: boolean
  readonly json: boolean
  /** `-a FILE`, each a source before those of the command line. */
  readonly argFiles: ReadonlyArray<string>
  readonly delimiter: string
  readonly colsep: RegExp | undefined
  readonly link: boolean
  /** `--header`: the first record of each source names its columns (`{name}`). */
  readonly header: string | undefined
  /** `--trim`; undefined: `lr` with `--colsep`, otherwise `n`. */
  readonly trim: Trim | undefined
  /** `--arg-sep`, `--arg-file-sep`. */
  readonly separators: Separators
  /** `-n`: records a job takes at most (0: one, shown as none). */
  readonly maxArgs: number | undefined
  /** `-N`: records a job takes at most, each word around a replacement repeated per input. */
  readonly maxReplaceArgs: number | undefined
  /** `-l`, `-L`: records a job takes, a record ending in white space continued by the next. */
  readonly maxLines: number | undefined
  /** `-L` (not `-l`): with it, words around a replacement are repeated per input, as with `-N`. */
  readonly linesInContext: boolean
  /** `-X`: as many records as fit, each word around a replacement repeated per input. */
  readonly contextReplace: boolean
  /** `-m`: as many records as fit, the inputs joined in place of a replacement. */
  readonly multiple: boolean
  /** `--xargs`: as `-m`, without spreading the last records over the job slots. */
  readonly xargs: boolean
  /** `-s`: the longest command line, in characters. */
  readonly maxChars: number | undefined
  /** `-I`, `--replace`, `-i`: the spelling of `{}`. */
  readonly replace: string | undefined
  /** `--plus`: GNU parallel's further replacement strings. */
  readonly plus: boolean
  /** `-q`: the command's words are quoted, so they reach the command as they were given. */
  readonly quote: boolean
  readonly help: boolean
  readonly version: boolean
  readonly completions: "bash" | "fish" | "zsh" | undefined
}

/** @internal */
export const defaults = (): Settings => ({
  jobs: os.availableParallelism(),
  keepOrder: false,
  output: "group",
  tag: false,
  tagString: undefined,
  timeout: undefined,
  retries: 1,
  halt: { when: "never" },
  delay: undefined,
  joblog: undefined,
  resume: undefined,
  dryRun: false,
  shell: undefined,
  termSeq: undefined,
  bar: false,
  eta: false,
  progress: false,
  json: false,
  argFiles: [],
  delimiter: "\n",
  colsep: undefined,
  link: false,
  header: undefined,
  trim: undefined,
  separators: defaultSeparators,
  maxArgs: undefined,
  maxReplaceArgs: undefined,
  maxLines: undefined,
  linesInContext: false,
  contextReplace: false,
  multiple: false,
  xargs: false,
  maxChars: undefined,
  replace: undefined,
  plus: false,
  quote: false,
  help: false,
  version: false,
  completions: undefined
})

/** @internal */
export type Draft = { -readonly [K in keyof Settings]: Settings[K] }

/** Where an option is listed in `--help`. @internal */
export type Group = "input" | "command" | "output" | "scheduling" | "failure" | "logging" | "other"

/** @internal */
export interface OptionSpec {
  /**
   * The long name, without dashes: how help, completions and messages name it. One letter for
   * GNU parallel's short-only options (`-X`, `-L`): Getopt::Long takes `--X` for them too.
   */
  readonly name: string
  /** One-letter names. */
  readonly short: ReadonlyArray<string>
  /** Other long spellings GNU parallel accepts. */
  readonly long: ReadonlyArray<string>
  /** The value's name in help (`N`, `FILE`); undefined for a switch. */
  readonly value: string | undefined
  /** Every value is kept (`-a x -a y`); otherwise the last one given wins, as in Getopt::Long. */
  readonly repeatable: boolean
  /**
   * The value may be left out (Getopt::Long's `:s`); the next word is taken as it only when this
   * says it is one (`-i foo`, `-l 2`). Left out, the value is `""`.
   */
  readonly optional: ((next: string) => boolean) | undefined
  readonly group: Group
  /** Its line in `--help`; undefined: accepted, but not shown (spellings kept for GNU scripts). */
  readonly help: string | undefined
  /** Sets what the option means; called with each value kept (`""` for a switch). */
  readonly apply: (settings: Draft, value: string) => void
}

interface Names {
  readonly short?: ReadonlyArray<string>
  readonly long?: ReadonlyArray<string>
}

const row = (
  name: string,
  group: Group,
  help: string | undefined,
  apply: OptionSpec["apply"],
  names: Names & {
    readonly value?: string
    readonly repeatable?: boolean
    readonly optional?: (next: string) => boolean
  } = {}
): OptionSpec => ({
  name,
  short: names.short ?? [],
  long: names.long ?? [],
  value: names.value,
  repeatable: names.repeatable ?? false,
  optional: names.optional,
  group,
  help,
  apply
})

/** A switch: sets `field` to `to`. */
const flag = <K extends keyof Settings>(
  name: string,
  group: Group,
  help: string | undefined,
  field: K,
  to: Settings[K],
  names?: Names
): OptionSpec =>
  row(name, group, help, (settings) => {
    settings[field] = to
  }, names)

/** An option with a value: `parse` turns the text into the field's type, or throws naming it. */
const valued = <K extends keyof Settings>(
  name: string,
  group: Group,
  help: string,
  field: K,
  value: string,
  parse: (text: string) => Settings[K],
  names?: Names
): OptionSpec =>
  row(name, group, help, (settings, text) => {
    settings[field] = parse(text)
  }, { ...names, value })

/** Accepted so GNU parallel's scripts run, and without effect: fanout has no notice to silence. */
const noEffect = (name: string, names?: Names): OptionSpec => row(name, "other", undefined, () => {}, names)

const nonEmpty = (option: string, expected: string) => (text: string): string => {
  if (text === "") throw bad(option, expected, text)
  return text
}

const completionShells = { sh: "bash", bash: "bash", fish: "fish", zsh: "zsh" } as const

/**
 * The options, in the order their settings are applied (so `--null` wins over
 * `-d`, and `--ungroup` over `--line-buffer`, whatever order they are given in).
 *
 * @internal
 */
export const optionTable: ReadonlyArray<OptionSpec> = [
  // input
  row("arg-file", "input", "Read inputs from FILE, one a line (repeatable; - is stdin).", (settings, text) => {
    settings.argFiles = [...settings.argFiles, nonEmpty("-a", "a file name")(text)]
  }, { short: ["a"], value: "FILE", repeatable: true }),
  valued(
    "delimiter",
    "input",
    "Inputs end with DELIM, not newline (\\n, \\t, \\0 and \\NNN octal understood).",
    "delimiter",
    "DELIM",
    (text) => unescapeDelimiter(nonEmpty("-d", "a non-empty delimiter")(text)),
    { short: ["d"] }
  ),
  flag("null", "input", "Inputs end with NUL (find -print0).", "delimiter", "\0", { short: ["0"] }),
  valued(
    "colsep",
    "input",
    "Split each input into columns {1} {2} ... on REGEX.",
    "colsep",
    "REGEX",
    Values.parseColsep,
    {
      short: ["C"]
    }
  ),
  flag("link", "input", "Pair the input sources one to one (shorter ones wrap), not all combinations.", "link", true, {
    long: ["xapply"]
  }),
  valued(
    "header",
    "input",
    "The first record of each source names its columns: {name}. 0: name sources by file.",
    "header",
    "REGEX",
    (text) => text
  ),
  valued(
    "trim",
    "input",
    "Trim white space off inputs: n, l, r, lr (default lr with --colsep).",
    "trim",
    "HOW",
    (text) => {
      const how = ({ n: "n", l: "l", r: "r", lr: "lr", rl: "lr" } as const)[text]
      if (how === undefined) throw bad("--trim", "n, l, r or lr", text)
      return how
    }
  ),
  row("arg-sep", "input", "Use SEP instead of ::: before arguments.", (settings, text) => {
    settings.separators = { ...settings.separators, args: nonEmpty("--arg-sep", "a separator")(text) }
  }, { long: ["argsep"], value: "SEP" }),
  row("arg-file-sep", "input", "Use SEP instead of :::: before argument files.", (settings, text) => {
    settings.separators = { ...settings.separators, files: nonEmpty("--arg-file-sep", "a separator")(text) }
  }, { long: ["argfilesep"], value: "SEP" }),
  // command
  valued(
    "max-args",
    "command",
    "At most N inputs a job; -n0 runs the command without inputs, once an input.",
    "maxArgs",
    "N",
    Values.parseMultiplied("-n", 0),
    { short: ["n"], long: ["maxargs"] }
  ),
  valued(
    "max-replace-args",
    "command",
    "N inputs a job: {1}..{N} name them; a word with {} is repeated for each.",
    "maxReplaceArgs",
    "N",
    Values.parseMultiplied("-N", 0),
    { short: ["N"], long: ["maxreplaceargs"] }
  ),
  row("max-lines", "command", undefined, (settings, text) => {
    settings.maxLines = text === "" || text === "-0" ? 1 : Values.parseMultiplied("-l", 0)(text) || 1
    // `-l -0`: Getopt::Long takes -0 as -l's number; GNU parallel reads it as -l with --null.
    if (text === "-0") settings.delimiter = "\0"
  }, { short: ["l"], long: ["maxlines"], value: "N", optional: (next) => /^[+-]?[0-9]+(?:\.[0-9]*)?$/.test(next) }),
  row("L", "command", "N input lines a job; a line ending in a blank goes on in the next.", (settings, text) => {
    settings.maxLines = Values.parseMultiplied("-L", 0)(text)
    settings.linesInContext = true
  }, { value: "N" }),
  flag("X", "command", "As many inputs a job as fit, the word around {} repeated for each.", "contextReplace", true),
  flag("m", "command", "As many inputs a job as fit, joined by spaces in place of {}.", "multiple", true),
  flag("xargs", "command", "As -m, without spreading the last inputs over the job slots.", "xargs", true),
  valued(
    "max-chars",
    "command",
    "Command lines of at most N characters (default and largest: 63664).",
    "maxChars",
    "N",
    Values.parseMultiplied("-s", 1),
    { short: ["s"], long: ["maxchars"] }
  ),
  valued("I", "command", "Use STR instead of {} for the input.", "replace", "STR", (text) => {
    return nonEmpty("-I", "a replacement string")(text)
  }),
  // `--replace[=STR]`, `-i[STR]`: xargs' deprecated spelling; without STR, {} stays {}.
  row("replace", "command", undefined, (settings, text) => {
    if (text !== "") settings.replace = text
  }, { short: ["i"], value: "STR", optional: (next) => !next.startsWith("-") }),
  flag("plus", "command", "More replacement strings: {+.} {..} {##} {0#} {:-x} {%x} ...", "plus", true),
  flag("quote", "command", "Quote the command's words: they reach the command as given.", "quote", true, {
    short: ["q"]
  }),
  valued("shell", "command", "Run commands with this shell (default /bin/sh).", "shell", "PATH", Values.checkShell),
  flag("dry-run", "command", "Print each job's command line instead of running it.", "dryRun", true, {
    long: ["dryrun"]
  }),
  // output
  flag("group", "output", "Print a job's output whole when it ends (the default).", "output", "group"),
  flag("line-buffer", "output", "Print whole lines as they come; jobs' lines interleave.", "output", "line", {
    long: ["lb", "linebuffer"]
  }),
  flag("ungroup", "output", "Print output bytes as they come.", "output", "ungroup", { short: ["u"] }),
  flag("keep-order", "output", "Print outputs in input order (jobs still run at once).", "keepOrder", true, {
    short: ["k"]
  }),
  flag("tag", "output", "Prefix each output line with the job's inputs and a TAB.", "tag", true, { long: ["ctag"] }),
  valued(
    "tagstring",
    "output",
    "Prefix each output line with STR (replacement strings allowed) and a TAB.",
    "tagString",
    "STR",
    (text) => text,
    { long: ["ctagstring"] }
  ),
  flag("json", "output", "One JSON object per job on stdout instead of its output.", "json", true),
  // scheduling
  valued(
    "jobs",
    "scheduling",
    "Jobs at once: N, N% of CPU threads, +N/-N, 0 for no limit.",
    "jobs",
    "N",
    (text) => Values.parseJobs(text),
    { short: ["j", "P"], long: ["max-procs"] }
  ),
  valued(
    "delay",
    "scheduling",
    "Wait DURATION between job starts (30, 1.5s, 2m).",
    "delay",
    "DURATION",
    Values
      .parseDuration("--delay")
  ),
  // failure
  valued(
    "timeout",
    "failure",
    "Kill a job after DURATION, or N% of the median runtime.",
    "timeout",
    "DURATION",
    Values
      .parseTimeout
  ),
  valued(
    "retries",
    "failure",
    "Run a failing job up to N times in all.",
    "retries",
    "N",
    Values.parseCount("--retries", 0)
  ),
  valued(
    "halt",
    "failure",
    "When to stop: now|soon,fail|success|done=N|N% (now,fail=1).",
    "halt",
    "WHEN",
    Values.parseHalt,
    { long: ["halt-on-error"] }
  ),
  valued(
    "termseq",
    "failure",
    "How a job is stopped (default TERM,200,TERM,100,TERM,50,KILL,25).",
    "termSeq",
    "SEQ",
    Values
      .parseTermSeq,
    { long: ["term-seq"] }
  ),
  // logging
  valued("joblog", "logging", "Log finished jobs to FILE, tab-separated, in GNU parallel's format.", "joblog", "FILE", (
    text
  ) => text, { long: ["jl"] }),
  flag("resume", "logging", "With --joblog: skip the jobs it shows finished.", "resume", "all"),
  flag("resume-failed", "logging", "With --joblog: skip only the jobs it shows succeeded.", "resume", "succeeded"),
  flag("progress", "logging", "Show progress on stderr.", "progress", true),
  flag("bar", "logging", "Show a progress bar on stderr.", "bar", true),
  flag("eta", "logging", "Show the estimated time left on stderr.", "eta", true),
  // other
  flag("help", "other", "Print this help.", "help", true, { short: ["h"] }),
  flag("version", "other", "Print the version.", "version", true, { short: ["V"] }),
  valued(
    "completions",
    "other",
    "Print a completion script for SHELL (bash, fish or zsh).",
    "completions",
    "SHELL",
    (text) => {
      const shell = completionShells[text as keyof typeof completionShells]
      if (shell === undefined) throw bad("--completions", "sh, bash, fish or zsh", text)
      return shell
    }
  ),
  // GNU parallel's citation and notice switches, and --gnu (its default, over the old --tollef): fanout
  // prints no notice and has one behaviour.
  noEffect("will-cite", { long: ["willcite"] }),
  noEffect("no-notice", { long: ["nn", "nonotice"] }),
  noEffect("gnu")
]
