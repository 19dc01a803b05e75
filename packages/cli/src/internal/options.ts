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
import { parseSize } from "./size.js"
import type { Trim } from "./template.js"
import * as Values from "./values.js"

/** What the options set; the command template and the inputs are added in `config.ts`. @internal */
export interface Settings {
  /** Job slots; `Infinity` for `-j 0`. */
  readonly jobs: number
  /** `-j FILE`: the slots are read from it again as jobs end. */
  readonly jobsFile: string | undefined
  /** `--memfree`: bytes of memory that must be available to start a job. */
  readonly memFree: number | undefined
  /** `--load`: start a job only while fewer processes than this run. */
  readonly load: number | undefined
  /** `--nice`: niceness added for the jobs. */
  readonly nice: number | undefined
  /** `--tmpdir`: spill files here, and `$TMPDIR` for the jobs. */
  readonly tmpdir: string | undefined
  /** `--shuf`: the jobs in a random order (all inputs are read first). */
  readonly shuf: boolean
  /** `-r`: inputs that are empty or blank start no job. */
  readonly noRunIfEmpty: boolean
  /** `-t`, `--verbose`: each command line on stderr as its job starts. */
  readonly verbose: boolean
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
  /** `--joblog +FILE`: rows are appended to FILE, as GNU parallel. */
  readonly joblogAppend: boolean
  readonly resume: Joblog.ResumeMode | undefined
  readonly dryRun: boolean
  /** `--shellquote`, once for each time given: each job prints its command line quoted that many times. */
  readonly shellquote: number
  /** `--shell`; without it `config.ts` picks one (see `jobShell.ts`). */
  readonly shell: string | undefined
  /** `--env NAME`: variables and exported functions the jobs must get. */
  readonly env: ReadonlyArray<string>
  readonly termSeq: TermSeq.TermSeq | undefined
  readonly bar: boolean
  readonly eta: boolean
  readonly progress: boolean
  /** `--total-jobs N`: the number of jobs for `--eta`/`--bar`/`--progress` when fanout cannot count them. */
  readonly totalJobs: number | undefined
  readonly json: boolean
  /** `-a FILE`, each a source before those of the command line. */
  readonly argFiles: ReadonlyArray<string>
  readonly delimiter: string
  readonly colsep: RegExp | undefined
  readonly link: boolean
  /** `--header`: the first record of each source names its columns (`{name}`); under `--pipe`, the lines repeated before every block. */
  readonly header: string | undefined
  /** `--trim`; undefined: `lr` with `--colsep`, otherwise `n`. */
  readonly trim: Trim | undefined
  /** `--arg-sep`, `--arg-file-sep`. */
  readonly separators: Separators
  /** `-n`: records a job takes at most (0: one, shown as none). */
  readonly maxArgs: number | undefined
  /** `-N`: records a job takes at most, each word around a replacement repeated per input (under `--pipe`: records a block). */
  readonly maxReplaceArgs: number | undefined
  /** `-l`, `-L`: records a job takes, a record ending in white space continued by the next (under `--pipe`: lines a record). */
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
  /** `-I` (`{}`), `--er` (`{.}`), `--bnr`, `--dnr`, `--bner`, `--seqreplace`, `--slotreplace`: other spellings. */
  readonly spellings: ReadonlyArray<readonly [string, string]>
  /** `--plus`: GNU parallel's further replacement strings. */
  readonly plus: boolean
  /** `-q`: the command's words are quoted, so they reach the command as they were given. */
  readonly quote: boolean
  /** `--pipe`: stdin is cut into blocks, each a job's stdin. */
  readonly pipe: boolean
  /** `--pipepart`: the `-a` file is cut into blocks that jobs read by offset. */
  readonly pipePart: boolean
  /** `--block`, in bytes; negative: that many blocks a job slot (`--pipepart`). */
  readonly block: number | undefined
  readonly recstart: string | undefined
  readonly recend: string | undefined
  readonly regexp: boolean
  readonly removeRecSep: boolean
  /** `--round-robin`: one job a slot, the blocks dealt to whichever takes input first. */
  readonly roundRobin: boolean
  /** `--cat` / `--fifo`: `{}` names a file / a fifo holding the block, not stdin. */
  readonly blockAs: "stdin" | "file" | "fifo"
  /** `--results DIR` or `--results name.csv|.tsv|.json`. */
  readonly results: string | undefined
  /** `--files`: print each job's output file's name, not its output. */
  readonly files: boolean
  readonly help: boolean
  readonly version: boolean
  readonly completions: "bash" | "fish" | "zsh" | undefined
}

/** @internal */
export const defaults = (): Settings => ({
  jobs: os.availableParallelism(),
  jobsFile: undefined,
  memFree: undefined,
  load: undefined,
  nice: undefined,
  tmpdir: undefined,
  shuf: false,
  noRunIfEmpty: false,
  verbose: false,
  keepOrder: false,
  output: "group",
  tag: false,
  tagString: undefined,
  timeout: undefined,
  retries: 1,
  halt: { when: "never" },
  delay: undefined,
  joblog: undefined,
  joblogAppend: false,
  resume: undefined,
  dryRun: false,
  shellquote: 0,
  shell: undefined,
  env: [],
  termSeq: undefined,
  bar: false,
  eta: false,
  progress: false,
  totalJobs: undefined,
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
  spellings: [],
  plus: false,
  quote: false,
  pipe: false,
  pipePart: false,
  block: undefined,
  recstart: undefined,
  recend: undefined,
  regexp: false,
  removeRecSep: false,
  roundRobin: false,
  blockAs: "stdin",
  results: undefined,
  files: false,
  help: false,
  version: false,
  completions: undefined
})

/** @internal */
export type Draft = { -readonly [K in keyof Settings]: Settings[K] }

/** Where an option is listed in `--help` (`other`: on its last lines). @internal */
export type Group = "input" | "pipe" | "command" | "output" | "scheduling" | "failure" | "logging" | "other"

/** @internal */
export interface OptionSpec {
  /** The long name, without dashes: how help, completions and messages name it. */
  readonly name: string
  /** One-letter names. (A one-letter `name` is one too: GNU's short-only -X, -L take --X, --L as well.) */
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
  /** What it does, on one help line of at most 80 columns; undefined: accepted, never shown. */
  readonly help: string | undefined
  /** Listed by name only, on its group's "also:" line of the help screen. */
  readonly brief: boolean
  /** Sets what the option means; called with each value kept (`""` for a switch). */
  readonly apply: (settings: Draft, value: string) => void
}

/** How a row is written below: the names and help, without the defaults. */
interface Declared {
  readonly name: string
  readonly short?: ReadonlyArray<string>
  readonly long?: ReadonlyArray<string>
  readonly value?: string
  readonly repeatable?: boolean
  readonly optional?: (next: string) => boolean
  readonly group: Group
  readonly help?: string
  readonly brief?: boolean
}

const row = (declared: Declared, apply: OptionSpec["apply"]): OptionSpec => ({
  short: [],
  long: [],
  value: undefined,
  repeatable: false,
  optional: undefined,
  help: undefined,
  brief: false,
  ...declared,
  apply
})

/** A switch: sets `field` to `to`. */
const flag = <K extends keyof Settings>(declared: Declared, field: K, to: Settings[K]): OptionSpec =>
  row(declared, (settings) => {
    settings[field] = to
  })

/** An option with a value: `parse` turns the text into the field's type, or throws naming it. */
const valued = <K extends keyof Settings>(
  declared: Declared,
  field: K,
  parse: (text: string) => Settings[K]
): OptionSpec =>
  row(declared, (settings, text) => {
    settings[field] = parse(text)
  })

/** Accepted so GNU parallel's scripts run, and without effect: fanout has no notice to silence. */
const noEffect = (name: string, long: ReadonlyArray<string> = []): OptionSpec =>
  row({ name, long, group: "other" }, () => {})

const nonEmpty = (option: string, expected: string) => (text: string): string => {
  if (text === "") throw bad(option, expected, text)
  return text
}

const completionShells = { sh: "bash", bash: "bash", fish: "fish", zsh: "zsh" } as const

const completionShell = (text: string): Settings["completions"] => {
  const shell = completionShells[text as keyof typeof completionShells]
  if (shell === undefined) throw bad("--completions", "sh, bash, fish or zsh", text)
  return shell
}

/**
 * The options, in the order their settings are applied (so `--null` wins over
 * `-d`, and `--ungroup` over `--line-buffer`, whatever order they are given in),
 * and listed in help.
 *
 * @internal
 */
export const optionTable: ReadonlyArray<OptionSpec> = [
  row({
    name: "arg-file",
    short: ["a"],
    value: "FILE",
    repeatable: true,
    group: "input",
    help: "read inputs from FILE, one a line (- is stdin)"
  }, (settings, text) => {
    settings.argFiles = [...settings.argFiles, nonEmpty("-a", "a file name")(text)]
  }),
  valued(
    {
      name: "delimiter",
      short: ["d"],
      value: "DELIM",
      group: "input",
      help: "inputs end with DELIM, not newline (\\0, \\t, \\NNN)"
    },
    "delimiter",
    (text) => unescapeDelimiter(nonEmpty("-d", "a non-empty delimiter")(text))
  ),
  flag({ name: "null", short: ["0"], group: "input", help: "inputs end with NUL (find -print0)" }, "delimiter", "\0"),
  valued(
    {
      name: "colsep",
      short: ["C"],
      value: "REGEX",
      group: "input",
      help: "split inputs into columns {1} {2} ... at REGEX"
    },
    "colsep",
    Values.parseColsep
  ),
  flag(
    { name: "link", long: ["xapply"], group: "input", help: "pair input sources one to one, not every combination" },
    "link",
    true
  ),
  flag(
    { name: "no-run-if-empty", short: ["r"], group: "input", help: "run no job for an empty or blank input" },
    "noRunIfEmpty",
    true
  ),
  flag(
    { name: "shuf", brief: true, group: "input", help: "run the jobs in a random order (reads all inputs first)" },
    "shuf",
    true
  ),
  valued(
    {
      name: "header",
      value: "REGEX",
      group: "input",
      help: "first lines name the columns: {name}; 0: name files"
    },
    "header",
    (text) => text
  ),
  flag(
    { name: "pipe", long: ["spreadstdin"], group: "pipe", help: "cut stdin into blocks; each is a job's stdin" },
    "pipe",
    true
  ),
  flag(
    { name: "pipepart", long: ["pipe-part"], group: "pipe", help: "as --pipe, of the -a FILE: jobs read their part" },
    "pipePart",
    true
  ),
  valued(
    {
      name: "block",
      long: ["block-size", "blocksize"],
      value: "SIZE",
      group: "pipe",
      help: "blocks of about SIZE (default 1M; -N: N a slot)"
    },
    "block",
    (text) => parseSize("--block", text) || undefined
  ),
  valued(
    { name: "recstart", brief: true, value: "STR", group: "pipe", help: "records start with STR" },
    "recstart",
    (text) => text
  ),
  valued(
    { name: "recend", brief: true, value: "STR", group: "pipe", help: "records end with STR (default \\n)" },
    "recend",
    (text) => text
  ),
  flag(
    { name: "regexp", brief: true, long: ["regex"], group: "pipe", help: "--recstart/--recend are regexps" },
    "regexp",
    true
  ),
  flag(
    {
      name: "remove-rec-sep",
      long: ["removerecsep", "rrs"],
      group: "pipe"
    },
    "removeRecSep",
    true
  ),
  valued(
    { name: "trim", value: "HOW", group: "input", brief: true, help: "trim inputs' blanks: n, l, r, lr" },
    "trim",
    (text) => {
      const how = ({ n: "n", l: "l", r: "r", lr: "lr", rl: "lr" } as const)[text]
      if (how === undefined) throw bad("--trim", "n, l, r or lr", text)
      return how
    }
  ),
  row(
    { name: "arg-sep", long: ["argsep"], value: "SEP", group: "input", brief: true, help: "SEP for :::" },
    (settings, text) => {
      settings.separators = { ...settings.separators, args: nonEmpty("--arg-sep", "a separator")(text) }
    }
  ),
  row({
    name: "arg-file-sep",
    long: ["argfilesep"],
    value: "SEP",
    group: "input",
    brief: true,
    help: "SEP for ::::"
  }, (settings, text) => {
    settings.separators = { ...settings.separators, files: nonEmpty("--arg-file-sep", "a separator")(text) }
  }),
  valued(
    {
      name: "max-args",
      short: ["n"],
      long: ["maxargs"],
      value: "N",
      group: "command",
      help: "N inputs a job (-n0: once an input, without it)"
    },
    "maxArgs",
    Values.parseMultiplied("-n", 0)
  ),
  valued(
    {
      name: "max-replace-args",
      short: ["N"],
      long: ["maxreplaceargs"],
      value: "N",
      group: "command",
      brief: true,
      help: "N inputs a job, {1}..{N}; words with {} repeated"
    },
    "maxReplaceArgs",
    Values.parseMultiplied("-N", 0)
  ),
  row({
    name: "max-lines",
    short: ["l"],
    long: ["maxlines"],
    value: "N",
    optional: (next) => /^[+-]?[0-9]+(?:\.[0-9]*)?$/.test(next),
    group: "command"
  }, (settings, text) => {
    settings.maxLines = text === "" || text === "-0" ? 1 : Values.parseMultiplied("-l", 0)(text) || 1
    // `-l -0`: Getopt::Long takes -0 as -l's number; GNU parallel reads it as -l with --null.
    if (text === "-0") settings.delimiter = "\0"
  }),
  row(
    { name: "L", value: "N", group: "command", brief: true, help: "N lines a job; a blank at the end goes on" },
    (settings, text) => {
      settings.maxLines = Values.parseMultiplied("-L", 0)(text)
      settings.linesInContext = true
    }
  ),
  flag(
    { name: "X", group: "command", help: "as many inputs a job as fit, words with {} repeated" },
    "contextReplace",
    true
  ),
  flag(
    { name: "m", group: "command", brief: true, help: "as many inputs a job as fit, joined in place of {}" },
    "multiple",
    true
  ),
  flag({ name: "xargs", group: "command", brief: true, help: "as -m, not spread over the slots" }, "xargs", true),
  valued(
    {
      name: "max-chars",
      short: ["s"],
      long: ["maxchars"],
      value: "N",
      group: "command",
      brief: true,
      help: "command lines of at most N characters"
    },
    "maxChars",
    Values.parseMultiplied("-s", 1)
  ),
  row(
    { name: "I", value: "STR", group: "command", help: "STR stands for the input, instead of {}" },
    (settings, text) => {
      settings.spellings = [...settings.spellings, ["{}", nonEmpty("-I", "a replacement string")(text)]]
    }
  ),
  // `--replace[=STR]`, `-i[STR]`: xargs' old spelling of -I; without STR, {} stays {}.
  row({ name: "replace", short: ["i"], value: "STR", optional: (next) => !next.startsWith("-"), group: "command" }, (
    settings,
    text
  ) => {
    if (text !== "") settings.spellings = [...settings.spellings, ["{}", text]]
  }),
  // GNU parallel's other spellings, in the order it applies them.
  ...([
    ["extensionreplace", ["er"], "{.}"],
    ["basenamereplace", ["bnr"], "{/}"],
    ["dirnamereplace", ["dnr"], "{//}"],
    ["seqreplace", [], "{#}"],
    ["slotreplace", [], "{%}"],
    ["basenameextensionreplace", ["bner"], "{/.}"]
  ] as const).map(([name, long, string]) =>
    row({ name, long, value: "STR", group: "command" }, (settings, text) => {
      settings.spellings = [...settings.spellings, [string, nonEmpty(`--${name}`, "a replacement string")(text)]]
    })
  ),
  flag(
    { name: "plus", group: "command", help: "more replacement strings: {+.} {..} {##} {0#} {:-x}" },
    "plus",
    true
  ),
  flag(
    {
      name: "quote",
      brief: true,
      short: ["q"],
      group: "command",
      help: "quote the command: its words reach it as given"
    },
    "quote",
    true
  ),
  flag(
    {
      name: "round-robin",
      brief: true,
      long: ["roundrobin", "round"],
      group: "pipe",
      help: "one job a slot; blocks go to the first that takes input"
    },
    "roundRobin",
    true
  ),
  flag(
    { name: "cat", brief: true, group: "pipe", help: "{} is a temporary file holding the block" },
    "blockAs",
    "file"
  ),
  flag({ name: "fifo", brief: true, group: "pipe", help: "{} is a fifo the block is written to" }, "blockAs", "fifo"),
  valued(
    { name: "shell", value: "PATH", group: "command", help: "run jobs with this shell (default: sh, bash if needed)" },
    "shell",
    Values.checkShell
  ),
  row({
    name: "env",
    brief: true,
    value: "NAME",
    repeatable: true,
    group: "command",
    help: "make sure variable or function NAME reaches the jobs"
  }, (settings, text) => {
    settings.env = [...settings.env, nonEmpty("--env", "a variable or function name")(text)]
  }),
  flag(
    { name: "dry-run", long: ["dryrun"], group: "command", help: "print the command lines instead of running them" },
    "dryRun",
    true
  ),
  row(
    { name: "shellquote", long: ["shell-quote", "shell_quote"], repeatable: true, group: "command", brief: true },
    (settings) => {
      settings.shellquote = settings.shellquote + 1
    }
  ),
  flag(
    { name: "group", group: "output", brief: true, help: "print a job's output whole when it ends (the default)" },
    "output",
    "group"
  ),
  flag(
    {
      name: "line-buffer",
      long: ["lb", "linebuffer", "line-buffered", "linebuffered"],
      group: "output",
      help: "whole lines as they come; jobs' lines mix"
    },
    "output",
    "line"
  ),
  flag({ name: "ungroup", short: ["u"], group: "output", help: "bytes as they come" }, "output", "ungroup"),
  flag(
    {
      name: "keep-order",
      short: ["k"],
      long: ["keeporder"],
      group: "output",
      help: "outputs in input order (jobs still run at once)"
    },
    "keepOrder",
    true
  ),
  // GNU parallel's negation of -k (Getopt::Long's `k!`): the default, unordered output
  flag({ name: "no-keep-order", long: ["nokeeporder", "nok", "no-k"], group: "output" }, "keepOrder", false),
  flag(
    { name: "tag", long: ["ctag"], group: "output", help: "prefix each line with the job's inputs and a TAB" },
    "tag",
    true
  ),
  valued(
    {
      name: "tagstring",
      brief: true,
      long: ["ctagstring", "tag-string", "ctag-string"],
      value: "STR",
      group: "output",
      help: "prefix each line with STR (replacement strings work)"
    },
    "tagString",
    (text) => text
  ),
  valued(
    {
      name: "results",
      long: ["result", "res"],
      value: "DIR|FILE",
      group: "output",
      help: "keep outputs under DIR, or in a .csv, .tsv or .json"
    },
    "results",
    (text) => nonEmpty("--results", "a directory or a file name")(text)
  ),
  flag(
    {
      name: "files",
      brief: true,
      long: ["output-as-files", "outputasfiles"],
      group: "output",
      help: "print output file names"
    },
    "files",
    true
  ),
  flag({ name: "json", group: "output", help: "a JSON object per job instead of its output" }, "json", true),
  row({
    name: "jobs",
    short: ["j", "P"],
    long: ["max-procs", "maxprocs"],
    value: "N",
    group: "scheduling",
    help: "N jobs at once: N% of CPUs, +N, -N, 0 (no limit), FILE"
  }, (settings, text) => {
    const { file, jobs } = Values.parseJobsOrFile(text)
    settings.jobs = jobs
    settings.jobsFile = file
  }),
  valued(
    {
      name: "delay",
      brief: true,
      value: "DURATION",
      group: "scheduling",
      help: "wait DURATION between job starts (30, 1.5s, 2m)"
    },
    "delay",
    Values.parseDuration("--delay")
  ),
  valued(
    {
      name: "load",
      brief: true,
      value: "MAX",
      group: "scheduling",
      help: "start jobs only while fewer than MAX processes run"
    },
    "load",
    Values.parseLoad
  ),
  valued(
    {
      name: "memfree",
      brief: true,
      value: "SIZE",
      group: "scheduling",
      help: "start jobs only while SIZE memory is free (2G)"
    },
    "memFree",
    Values.parseSize("--memfree")
  ),
  valued(
    { name: "nice", brief: true, value: "N", group: "scheduling", help: "run the jobs at niceness N" },
    "nice",
    Values.parseNice
  ),
  valued(
    { name: "tmpdir", brief: true, value: "DIR", group: "output", help: "spill output to DIR; $TMPDIR of the jobs" },
    "tmpdir",
    Values.checkTmpdir
  ),
  valued(
    { name: "timeout", value: "DURATION", group: "failure", help: "kill a job after DURATION, or N% of the median" },
    "timeout",
    Values.parseTimeout
  ),
  valued(
    { name: "retries", value: "N", group: "failure", help: "run a failing job up to N times in all" },
    "retries",
    Values.parseCount("--retries", 0)
  ),
  valued(
    {
      name: "halt",
      long: ["halt-on-error"],
      value: "WHEN",
      group: "failure",
      help: "stop early: now|soon,fail|success|done=N|N%"
    },
    "halt",
    Values.parseHalt
  ),
  valued(
    {
      name: "termseq",
      long: ["term-seq"],
      value: "SEQ",
      group: "failure",
      help: "how to stop a job (default TERM,200,...,KILL,25)"
    },
    "termSeq",
    Values.parseTermSeq
  ),
  row({
    name: "joblog",
    long: ["jl"],
    value: "FILE",
    group: "logging",
    help: "log jobs to FILE as GNU parallel (+FILE: append)"
  }, (settings, text) => {
    // `+` alone names no file: GNU parallel then writes no joblog and says nothing
    const append = text.startsWith("+")
    const file = append ? text.slice(1) : text
    if (file === "") throw bad("--joblog", "a file name, +FILE to append, or - for stdout", text)
    settings.joblog = file
    settings.joblogAppend = append
  }),
  flag({ name: "resume", group: "logging", help: "with --joblog: skip the jobs it shows finished" }, "resume", "all"),
  flag(
    {
      name: "resume-failed",
      long: ["resumefailed"],
      brief: true,
      group: "logging",
      help: "with --joblog: skip the jobs it shows succeeded"
    },
    "resume",
    "succeeded"
  ),
  flag(
    { name: "verbose", short: ["t"], group: "logging", help: "print each command line on stderr as it starts" },
    "verbose",
    true
  ),
  flag({ name: "progress", brief: true, group: "logging", help: "show progress on stderr" }, "progress", true),
  flag({ name: "bar", group: "logging", help: "show a progress bar on stderr" }, "bar", true),
  flag({ name: "eta", brief: true, group: "logging", help: "show the estimated time left on stderr" }, "eta", true),
  valued(
    { name: "total-jobs", long: ["totaljobs", "total"], value: "N", group: "logging", brief: true },
    "totalJobs",
    Values.parseCount("--total-jobs", 1)
  ),
  flag({ name: "help", short: ["h"], group: "other", help: "print this help" }, "help", true),
  flag({ name: "version", short: ["V"], group: "other", help: "print the version" }, "version", true),
  valued(
    { name: "completions", value: "SHELL", group: "other", help: "print a completion script for bash, fish or zsh" },
    "completions",
    completionShell
  ),
  // GNU parallel's citation and notice switches, and --gnu (its default, over the old --tollef): fanout
  // prints no notice and has one behaviour.
  noEffect("will-cite", ["willcite"]),
  noEffect("no-notice", ["nn", "nonotice"]),
  noEffect("gnu"),
  // `-S :` is this machine in GNU parallel's words, where fanout runs every job: accepted; any host refused.
  row({ name: "sshlogin", short: ["S"], value: "LOGINS", repeatable: true, group: "other" }, (_, text) => {
    if (!text.split(",").every((login) => login.trim() === ":")) {
      throw bad("-S", "':' (this machine: fanout runs jobs here only; run it on each host over ssh)", text)
    }
  })
]

/** @internal */
export interface Unsupported {
  /** Long names (the first is the one the message gives) and one-letter names. */
  readonly long: ReadonlyArray<string>
  readonly short?: ReadonlyArray<string>
  /** What to do instead, as the end of the sentence "not supported: …". */
  readonly instead: string
}

/**
 * GNU parallel options fanout does not take, so that a script using one is
 * told by name what to do instead, rather than "unknown option".
 *
 * @internal
 */
export const unsupportedOptions: ReadonlyArray<Unsupported> = [
  {
    long: ["group-by", "tee", "bin", "shard"],
    short: ["b"],
    instead: "split the input first and give the pieces with ::::"
  },
  { long: ["files0"], instead: "use --files" },
  {
    long: [
      ...["sshloginfile", "slf", "transfer", "transferfile", "tf", "return", "cleanup", "trc", "basefile"],
      ...["bf", "onall", "nonall", "controlmaster", "workdir", "wd", "ssh", "ssh-delay", "filter-hosts"],
      ...["work-dir", "sshdelay", "transfer-file", "transfer-files", "transferfiles"]
    ],
    short: ["M"],
    instead: "jobs run on this machine only (run fanout on each host over ssh)"
  },
  {
    long: [
      ...["semaphore", "sem", "fg", "bg", "id", "semaphoretimeout", "st", "semaphore-name", "semaphorename"],
      "semaphore-timeout"
    ],
    instead: "use flock(1) around the command"
  },
  { long: ["tty", "open-tty"], short: ["T", "o"], instead: "jobs run without a terminal" },
  { long: ["interactive"], short: ["p"], instead: "review the jobs with --dry-run first" },
  {
    long: [
      ...["color", "colour", "color-failed", "cf", "colorfailed", "colorfail", "colour-failed", "colourfailed"],
      ...["colour-fail", "colourfail"]
    ],
    instead: "use --tag (fanout prints no colours)"
  },
  { long: ["rpl"], instead: "fanout has no user-defined replacement strings" },
  { long: ["memsuspend", "noswap"], instead: "use --memfree SIZE" },
  { long: ["limit"], instead: "use --load MAX or --memfree SIZE" },
  { long: ["retry-failed"], instead: "use --joblog FILE --resume-failed with the same command" },
  { long: ["profile"], short: ["J"], instead: "put default options in $PARALLEL" },
  { long: ["eof"], short: ["E", "e"], instead: "end the input where it should end (head, sed)" },
  { long: ["skip-first-line", "skipfirstline"], instead: "drop it first: tail -n +2 FILE | fanout ..." },
  { long: ["shebang", "hashbang", "shebang-wrap"], instead: "call fanout from the script" },
  {
    long: ["sqlmaster", "sqlworker", "sqlandworker", "sql-master", "sql-worker", "sql-and-worker"],
    instead: "fanout has no SQL queue"
  },
  {
    long: [
      ...["compress", "compress-program", "decompress-program", "compressprogram", "decompressprogram"],
      ...["use-compress-program", "use-decompress-program", "usecompressprogram", "usedecompressprogram"]
    ],
    instead: "spilled output is kept as it is"
  },

  {
    long: [
      ...["number-of-cpus", "number-of-cores", "number-of-threads", "number-of-sockets"],
      ...["numberofcpus", "numberofcores", "numberofthreads", "numberofsockets"]
    ],
    instead: "use nproc"
  },
  {
    long: ["max-line-length-allowed", "maxlinelengthallowed", "show-limits", "showlimits"],
    instead: "use getconf ARG_MAX"
  },
  {
    long: ["tmux", "tmux-pane", "tmuxpane"],
    instead: "output comes on stdout; run fanout inside tmux if you want panes"
  },
  { long: ["latest-line", "latestline", "ll"], instead: "use --line-buffer --tag" },
  { long: ["template", "tmpl"], instead: "fill templates in the command (sed, envsubst)" },
  { long: ["process-slot-var", "processslotvar"], instead: "read PARALLEL_JOBSLOT (or FANOUT_SLOT) in the job" },
  { long: ["block-timeout", "blocktimeout", "bt"], instead: "use --timeout for the jobs" },
  { long: ["debug"], short: ["D"], instead: "use --verbose" },
  { long: ["citation", "bibtex"], instead: "fanout asks for no citation" },
  { long: ["minversion"], instead: "compare with fanout --version" },
  {
    long: [
      ...["use-cpus-instead-of-cores", "use-cores-instead-of-threads", "use-sockets-instead-of-threads"],
      ...["usecpusinsteadofcores", "usecoresinsteadofthreads", "usesocketsinsteadofthreads"]
    ],
    instead: "use -j N%"
  },
  { short: ["v"], long: [], instead: "use -t/--verbose (command lines on stderr)" }
]
