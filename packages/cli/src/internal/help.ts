/**
 * `fanout --help`: one screen, read off the option table — the options by
 * group, the replacement strings, three examples and where to read more.
 * Headings are bold only on a terminal, and never with `NO_COLOR` set.
 *
 * @internal
 */
import { type Group, type OptionSpec, optionTable } from "./options.js"

const groups: ReadonlyArray<readonly [Group, string]> = [
  ["input", "Input"],
  ["command", "Command"],
  ["output", "Output"],
  ["scheduling", "Scheduling"],
  ["failure", "Failure"],
  ["logging", "Logging"],
  ["other", "Other"]
]

const usage = "fanout [options] [command [args]] [::: inputs ...] [:::: files ...]"

const replacements = [
  "{}  the input       {.}  without extension   {/}  basename      {//} directory",
  "{/.} basename without extension   {#} job number   {%} job slot   {n} input n"
]

const examples = [
  ["gzip every log, 4 at a time", "fanout -j4 gzip ::: *.log"],
  ["inputs from stdin, names without extension", "find . -name '*.jpg' | fanout convert {} {.}.png"],
  ["outputs in input order, tagged", "fanout -k --tag 'ssh {} uptime' :::: hosts.txt"]
] as const

/** `-j, --jobs N`: the first short name and the long name, with the value's name. */
const flags = (option: OptionSpec): string => {
  const names = option.name.length === 1
    ? `-${option.name}`
    : [...option.short.slice(0, 1).map((s) => `-${s}`), `--${option.name}`].join(", ")
  return option.value === undefined ? names : `${names} ${option.value}`
}

/** Whether `stream` gets colour: a terminal, and no `NO_COLOR` (https://no-color.org). */
export const colourFor = (stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean =>
  (stream as { readonly isTTY?: boolean }).isTTY === true && (env.NO_COLOR ?? "") === ""

/** The help screen; headings in bold when `stream` is a terminal without `NO_COLOR`. @internal */
export const help = (stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): string => {
  const bold = colourFor(stream, env) ? (text: string) => `\x1b[1m${text}\x1b[22m` : (text: string) => text
  const shown = optionTable.filter((option) => option.help !== undefined)
  const width = Math.max(...shown.map((option) => flags(option).length)) + 2
  const lines = [
    `${bold("USAGE")}  ${usage}`,
    "Runs the command once per input, many at once, in GNU parallel's language.",
    ""
  ]
  for (const [group, title] of groups) {
    lines.push(bold(title.toUpperCase()))
    for (const option of shown) {
      if (option.group === group) lines.push(`  ${flags(option).padEnd(width)}${option.help}`)
    }
  }
  lines.push(bold("REPLACEMENT STRINGS"), ...replacements.map((line) => `  ${line}`))
  lines.push(bold("EXAMPLES"), ...examples.map(([what, example]) => `  ${example.padEnd(52)}# ${what}`))
  lines.push("", "Every option, and how fanout differs from GNU parallel: the README of @fanout/cli.")
  return `${lines.join("\n")}\n`
}
