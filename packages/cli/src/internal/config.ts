/**
 * From split argv to the typed `Config`: each option's row in the table sets
 * its field, a few rules that span options are checked, and the rest of the
 * command line becomes the job template and the input sources.
 *
 * @internal
 */
import type { SplitArgv } from "./argv.js"
import { UsageError } from "./exit.js"
import type { Source } from "./inputs.js"
import { parseCommandLine } from "./inputs.js"
import { chooseShell } from "./jobShell.js"
import { defaults, type Draft, optionTable, type Settings } from "./options.js"
import type { Template } from "./template.js"
import { parse as parseTemplate } from "./template.js"

/** A validated command line: the options' settings, the job template and the input sources. @internal */
export interface Config extends Settings {
  /** The shell that runs the jobs: `--shell`, `$PARALLEL_SHELL`, or chosen for the command. */
  readonly shell: string
  readonly template: Template
  /** Sources linked within a group (`:::+`, `--link`), cartesian product across groups. */
  readonly sources: ReadonlyArray<ReadonlyArray<Source>>
}

/**
 * The settings of the options given, applied in the table's order.
 *
 * @throws UsageError
 * @internal
 */
export const settingsOf = (values: SplitArgv["values"]): Settings => {
  const settings: Draft = defaults()
  for (const option of optionTable) {
    for (const value of values.get(option.name) ?? []) option.apply(settings, value)
  }
  if (values.has("resume") && values.has("resume-failed")) {
    throw new UsageError({ message: "--resume and --resume-failed: expected one of them, got both" })
  }
  if (settings.resume !== undefined && settings.joblog === undefined) {
    const name = settings.resume === "all" ? "--resume" : "--resume-failed"
    throw new UsageError({ message: `${name}: expected --joblog FILE to resume from, got none` })
  }
  return settings
}

/**
 * @throws UsageError
 * @internal
 */
export const toConfig = (settings: Settings, rest: SplitArgv["rest"], env: NodeJS.ProcessEnv = process.env): Config => {
  const { command, groups } = parseCommandLine(rest, settings.argFiles)
  const template = parseTemplate(command)
  return { ...settings, shell: chooseShell(settings.shell, template, settings.env, env), template, sources: groups }
}
