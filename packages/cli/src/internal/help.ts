/**
 * `fanout --help`: one screen of at most 80 columns, read off the option
 * table — the options by group, the replacement strings, three examples and
 * where to read more. Headings are bold only on a terminal, never with
 * `NO_COLOR` set (https://no-color.org).
 *
 * @internal
 */
import { type Group, type OptionSpec, optionTable } from "./options.js"

const groups: ReadonlyArray<Exclude<Group, "other">> = [
  "input",
  "pipe",
  "command",
  "output",
  "scheduling",
  "failure",
  "logging"
]

const replacements = [
  "{}   the input          {.}  without extension    {/}  without directory",
  "{//} its directory      {/.} basename, no ext     {#}  job number   {%} slot",
  "{2}  input source (or column) 2, also {2.} {2/} ...; {-1} the last one"
]

const examples = [
  ["fanout -j4 gzip ::: *.log", "gzip the logs, 4 at once"],
  ["find . -name '*.jpg' | fanout convert {} {.}.png", "stdin, one input a line"],
  ["fanout -k --tag ssh {} uptime :::: hosts", "in input order, tagged"]
] as const

/** `-j, --jobs N`: the first short name and the long name, with the value's name. */
const flags = (option: OptionSpec): string => {
  const names = option.name.length === 1
    ? `-${option.name}`
    : [...option.short.slice(0, 1).map((s) => `-${s}`), `--${option.name}`].join(", ")
  return option.value === undefined ? names : `${names} ${option.value}`
}

/** Whether `stream` gets colour: a terminal, and no `NO_COLOR`. @internal */
export const colourFor = (stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean =>
  (stream as { readonly isTTY?: boolean }).isTTY === true && (env.NO_COLOR ?? "") === ""

const listed = optionTable.filter((option) => option.help !== undefined && !option.brief && option.group !== "other")

/** The names' column: as wide as the widest, and two spaces. */
const width = Math.max(...listed.map((option) => flags(option).length)) + 2

const groupLines = (group: Group): Array<string> => {
  const options = optionTable.filter((option) => option.group === group && option.help !== undefined)
  const lines = options.filter((option) => !option.brief).map((option) =>
    `  ${flags(option).padEnd(width)}${option.help}`
  )
  const brief = options.filter((option) => option.brief).map(flags)
  // the rarer options, as many to a line as fit in 80 columns
  let also = ""
  for (const name of brief) {
    if (also === "") also = `  also: ${name}`
    else if (also.length + 2 + name.length <= 80) also += `  ${name}`
    else {
      lines.push(also)
      also = `        ${name}`
    }
  }
  if (also !== "") lines.push(also)
  return lines
}

/** The help screen; headings in bold when `stream` is a terminal without `NO_COLOR`. @internal */
export const help = (stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): string => {
  const bold = colourFor(stream, env) ? (text: string) => `\x1b[1m${text}\x1b[22m` : (text: string) => text
  const lines = [
    `${bold("USAGE")}  fanout [options] [command [args]] [::: inputs ...] [:::: files ...]`,
    "Runs the command once per input, many at once. GNU parallel's language.",
    ""
  ]
  for (const group of groups) lines.push(bold(group.toUpperCase()), ...groupLines(group))
  lines.push(bold("REPLACEMENT STRINGS"), ...replacements.map((line) => `  ${line}`))
  lines.push(bold("EXAMPLES"), ...examples.map(([example, what]) => `  ${example.padEnd(50)}# ${what}`))
  lines.push(
    "",
    "fanout -h, --help | -V, --version | --completions bash|fish|zsh",
    "Every option, and how fanout differs from GNU parallel, in the README:",
    "https://github.com/fanout/fanout#readme"
  )
  return `${lines.join("\n")}\n`
}
