/**
 * `fanout --completions SHELL`: the option table given to `@effect/cli`,
 * whose completion scripts for bash, fish and zsh are printed. Only the
 * options fanout accepts are offered: the command is never run through
 * `CliApp`, so its built-ins (`--wizard`, `--log-level`) are not added.
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

/** The completion script, ending with a newline. @internal */
export const script = (shell: keyof typeof generators): Effect.Effect<string> =>
  generators[shell](command, "fanout").pipe(Effect.map((lines) => `${lines.join("\n")}\n`))
