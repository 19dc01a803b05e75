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
import { unescapeDelimiter } from "./inputs.js"
import { parseSize } from "./size.js"
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
  /** `--shell`; without it `config.ts` picks one (see `jobShell.ts`). */
  readonly shell: string | undefined
  /** `--env NAME`: variables and exported functions the jobs must get. */
  readonly env: ReadonlyArray<string>
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
  /** `--header`: lines that head the input (`:` is one); under `--pipe`, repeated before every block. */
  readonly header: string | undefined
  /** `-N`: records a job takes (under `--pipe`: records a block). */
  readonly maxReplaceArgs: number | undefined
  /** `-L`, `-l`: lines a record (under `--pipe`: a record is this many lines). */
  readonly maxLines: number | undefined
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
  /** `--tmpdir`: where temporary files go (default `$TMPDIR`, else /tmp). */
  readonly tmpdir: string | undefined
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
  env: [],
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
  maxReplaceArgs: undefined,
  maxLines: undefined,
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
  tmpdir: undefined,
  help: false,
  version: false,
  completions: undefined
})

/** @internal */
export type Draft = { -readonly [K in keyof Settings]: Settings[K] }

/** Where an option is listed in `--help`. @internal */
export type Group = "input" | "pipe" | "command" | "output" | "scheduling" | "failure" | "logging" | "other"

/** @internal */
export interface OptionSpec {
  /** The long name, without dashes: how help, completions and messages name it. */
  readonly name: string
  /** One-letter names. */
  readonly short: ReadonlyArray<string>
  /** Other long spellings GNU parallel accepts. */
  readonly long: ReadonlyArray<string>
  /** The value's name in help (`N`, `FILE`); undefined for a switch. */
  readonly value: string | undefined
  /** Every value is kept (`-a x -a y`); otherwise the last one given wins, as in Getopt::Long. */
  readonly repeatable: boolean
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
  names: Names & { readonly value?: string; readonly repeatable?: boolean } = {}
): OptionSpec => ({
  name,
  short: names.short ?? [],
  long: names.long ?? [],
  value: names.value,
  repeatable: names.repeatable ?? false,
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
    "The first line (:) or N lines head the input; with --pipe, each block gets them.",
    "header",
    "N|:",
    (text) => text
  ),
  // pipe
  flag("pipe", "pipe", "Cut stdin into blocks at record ends; each block is a job's stdin.", "pipe", true, {
    long: ["spreadstdin"]
  }),
  flag("pipepart", "pipe", "As --pipe, for the -a FILE: jobs read their part directly.", "pipePart", true, {
    long: ["pipe-part"]
  }),
  valued(
    "block",
    "pipe",
    "Blocks of about SIZE (1M; k=1000, K=1024); --pipepart: -N is N blocks a slot.",
    "block",
    "SIZE",
    (text) => parseSize("--block", text) || undefined,
    { long: ["block-size", "blocksize"] }
  ),
  valued("recstart", "pipe", "Records start with STR.", "recstart", "STR", (text) => text),
  valued("recend", "pipe", "Records end with STR (default \\n).", "recend", "STR", (text) => text),
  flag("regexp", "pipe", "--recstart and --recend are regular expressions.", "regexp", true, { long: ["regex"] }),
  flag("remove-rec-sep", "pipe", "Remove --recstart and --recend from the blocks.", "removeRecSep", true, {
    long: ["removerecsep", "rrs"]
  }),
  valued(
    "max-replace-args",
    "pipe",
    "N records a job (with --pipe: a block), not a size.",
    "maxReplaceArgs",
    "N",
    Values.parseCount("-N", 1),
    { short: ["N"], long: ["maxreplaceargs"] }
  ),
  valued("max-lines", "pipe", "A record is N lines.", "maxLines", "N", Values.parseCount("-L", 1), {
    short: ["L", "l"],
    long: ["maxlines"]
  }),
  flag("round-robin", "pipe", "One job a slot; blocks go to whichever job takes input first.", "roundRobin", true, {
    long: ["roundrobin", "round"]
  }),
  flag("cat", "pipe", "{} is a temporary file holding the block, not stdin.", "blockAs", "file"),
  flag("fifo", "pipe", "{} is a fifo the block is written to, not stdin.", "blockAs", "fifo"),
  // command
  valued(
    "shell",
    "command",
    "Run commands with this shell (default: sh, or bash if needed).",
    "shell",
    "PATH",
    Values
      .checkShell
  ),
  row("env", "command", "Make sure variable or exported function NAME reaches the jobs.", (settings, text) => {
    settings.env = [...settings.env, nonEmpty("--env", "a variable or function name")(text)]
  }, { value: "NAME", repeatable: true }),
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
  valued(
    "results",
    "output",
    "Save each job's output under DIR (GNU's tree), or all in a .csv, .tsv or .json.",
    "results",
    "DIR|FILE",
    (text) => nonEmpty("--results", "a directory or a file name")(text),
    { long: ["result", "res"] }
  ),
  flag("files", "output", "Print the name of each job's output file, not the output.", "files", true, {
    long: ["output-as-files", "outputasfiles"]
  }),
  valued(
    "tmpdir",
    "output",
    "Temporary files go in DIR (default $TMPDIR or /tmp).",
    "tmpdir",
    "DIR",
    (text) => nonEmpty("--tmpdir", "a directory")(text),
    { long: ["tempdir"] }
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
