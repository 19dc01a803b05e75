/**
 * From split argv to the typed `Config`: each option's row in the table sets
 * its field, a few rules that span options are checked, and the rest of the
 * command line becomes the command words and the input sources.
 *
 * @internal
 */
import type { SplitArgv } from "./argv.js"
import { UsageError } from "./exit.js"
import type { Source } from "./inputs.js"
import { parseCommandLine } from "./inputs.js"
import { defaultMaxChars, type Grouping } from "./jobs.js"
import { chooseShell } from "./jobShell.js"
import { defaults, type Draft, optionTable, type Settings } from "./options.js"
import { rulesOf } from "./replacements.js"
import { parse as parseTemplate, type TemplateOptions } from "./template.js"

/** A validated command line: the options' settings, the command words and the input sources. @internal */
export interface Config extends Settings {
  /** The shell that runs the jobs: `--shell`, `$PARALLEL_SHELL`, or chosen for the command. */
  readonly shell: string
  /** The command template's words; its replacement strings are read once the inputs are open (`--header`). */
  readonly command: ReadonlyArray<string>
  readonly templateOptions: TemplateOptions
  readonly grouping: Grouping
  /** With `--header`, records are split on TAB unless `--colsep` says otherwise. */
  readonly columns: RegExp | undefined
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
 * Records a job takes, as GNU parallel derives it: `-n`, then `-l`/`-L` if
 * `-n` left it unset (or 0), `-N` over both; without them one, or as many as
 * fit with `-X`, `-m`, `--xargs`.
 */
const groupingOf = (settings: Settings): Grouping => {
  let max = settings.maxArgs
  if (settings.maxLines !== undefined && !max) max = settings.maxLines
  if (settings.maxReplaceArgs !== undefined) max = settings.maxReplaceArgs
  const fill = settings.contextReplace || settings.multiple || settings.xargs
  return {
    maxArgs: max ? max : fill ? undefined : 1,
    noArgs: max === 0,
    spread: settings.contextReplace || settings.multiple,
    maxChars: Math.min(settings.maxChars ?? defaultMaxChars, defaultMaxChars),
    slots: settings.jobs
  }
}

/**
 * @throws UsageError
 * @internal
 */
export const toConfig = (settings: Settings, rest: SplitArgv["rest"], env: NodeJS.ProcessEnv = process.env): Config => {
  const { command, groups } = parseCommandLine(rest, settings.argFiles, settings.separators)
  const context = settings.contextReplace || settings.maxReplaceArgs !== undefined ||
    (settings.linesInContext && !settings.multiple && !settings.xargs)
  const templateOptions: TemplateOptions = {
    rules: rulesOf({ plus: settings.plus, spellings: settings.spellings }),
    context,
    quoteAll: settings.quote,
    trim: settings.trim ?? (settings.colsep === undefined ? "n" : "lr")
  }
  // Parsed now to check it before any input is read; again once `--header` has named the columns.
  const template = parseTemplate(command, templateOptions)
  return {
    ...settings,
    shell: chooseShell(settings.shell, template, settings.env, env),
    command,
    templateOptions,
    grouping: groupingOf(settings),
    columns: settings.colsep ?? (settings.header === undefined ? undefined : /\t/),
    sources: groups
  }
}
