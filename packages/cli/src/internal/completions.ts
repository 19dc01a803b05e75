/**
 * `fanout --completions SHELL`: the option table given to `@effect/cli`,
 * whose completion scripts for bash, fish and zsh are printed. Only the
 * options fanout accepts are offered: `@effect/cli` adds its built-ins
 * (`--wizard`, `--log-level`, its own `--help`), which are taken out again.
 * This module, and `@effect/cli` with it, is loaded only for this.
 *
 * @internal
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { type OptionSpec, optionTable } from "./options.js"

const declare = (option: OptionSpec): Options.Options<unknown> => {
  let declared: Options.Options<unknown> = option.value === undefined
    ? Options.boolean(option.name)
    : Options.text(option.name).pipe(Options.withPseudoName(option.value))
  for (const alias of [...option.short, ...option.long]) declared = Options.withAlias(declared, alias)
  if (option.help !== undefined) declared = Options.withDescription(declared, option.help)
  return option.repeatable
    ? Options.repeated(declared)
    : option.value === undefined
    ? declared
    : Options.optional(declared)
}

const command = Command.make(
  "fanout",
  Object.fromEntries(optionTable.filter((option) => option.help !== undefined).map((o) => [o.name, declare(o)]))
)

const generators = {
  bash: Command.getBashCompletions,
  fish: Command.getFishCompletions,
  zsh: Command.getZshCompletions
} as const

/** How @effect/cli describes its built-in options: their lines in the zsh and fish scripts. */
const builtIns = [
  "Generate a completion script for a specific shell.",
  "Sets the minimum log level for a command.",
  "Show the help documentation for a command.",
  "Start wizard mode for a command.",
  "Show the version of the application."
]

const accepted = new Set(
  optionTable.flatMap((
    option
  ) => [
    ...[...option.short, ...(option.name.length === 1 ? [option.name] : [])].map((s) => `-${s}`),
    ...[option.name, ...option.long].map((l) => `--${l}`)
  ])
)

/** bash's list of words to offer: each option fanout accepts, once. */
const offerAccepted = (line: string): string =>
  line.replace(
    /opts="([^"]*)"/,
    (_, words: string) => `opts="${[...new Set(words.split(" "))].filter((word) => accepted.has(word)).join(" ")}"`
  )

const withoutBuiltIns = (lines: ReadonlyArray<string>): Array<string> =>
  lines.filter((line) => !builtIns.some((description) => line.includes(description))).map(offerAccepted)

/** The completion script, ending with a newline. @internal */
export const script = (shell: keyof typeof generators): Effect.Effect<string> =>
  generators[shell](command, "fanout").pipe(Effect.map((lines) => `${withoutBuiltIns(lines).join("\n")}\n`))
