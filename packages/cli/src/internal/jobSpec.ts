/**
 * What a job is beyond its inputs, the same for a real run and a dry run: its
 * command line and its tag (`--tag`, `--tagstring`), from templates made once
 * the inputs are open (`--header` names columns from their first lines).
 *
 * @internal
 */
import type { Config } from "./config.js"
import { applyNames, columnNames } from "./header.js"
import type { Inputs } from "./inputs.js"
import { counted, group } from "./jobs.js"
import { type Job, parse as parseTemplate, quote, render, type Template } from "./template.js"

/** @internal */
export interface JobSpec {
  readonly command: (job: Job) => string
  /** Undefined without `--tag`/`--tagstring`. */
  readonly tag: ((job: Job) => string) | undefined
  /** The jobs, numbered; all inputs are read first when a template needs the count (`{##}`). */
  readonly jobs: AsyncIterable<Job>
}

/**
 * The command's template and the tag's, with `names` for `--header`'s columns.
 * `appendArgs` false: no `{}` is added to a command without one (`--pipe`).
 *
 * @internal
 */
export const templatesOf = (
  config: Config,
  names: ReadonlyArray<readonly [string, number]> = [],
  appendArgs = true
) => {
  const command = parseTemplate(
    config.command.map((word) => applyNames(word, names)),
    config.templateOptions,
    appendArgs
  )
  // GNU parallel's default tag string is `{}`; a tag is text, never a command: inputs are not quoted in it.
  const tagText = config.tagString ?? (config.tag ? "{}" : undefined)
  const tag: Template | undefined = tagText === undefined
    ? undefined
    : parseTemplate([applyNames(tagText, names)], { ...config.templateOptions, quoteAll: false }, false)
  return { command, tag }
}

/**
 * `--shellquote` given `times` times: the job prints its command line quoted that many times
 * instead of running it (GNU parallel's job runs perl's print; printf is the shell's own).
 */
const shellquoted = (line: string, times: number): string => {
  let quoted = line
  for (let i = 0; i < times; i++) quoted = quote(quoted)
  return `printf '%s\\n' ${quote(quoted)}`
}

/** @internal */
export const jobSpecOf = async (config: Config, inputs: Inputs): Promise<JobSpec> => {
  const names = config.header === undefined
    ? []
    : columnNames(config.header === "0" ? undefined : inputs.headers, config.columns, config.sources)
  const { command: template, tag: tagTemplate } = templatesOf(config, names)
  let jobs: AsyncIterable<Job> = group(inputs.records, template, config.grouping)
  if (template.needsTotal || tagTemplate?.needsTotal === true) jobs = await counted(jobs)
  const command = (job: Job) => render(template, job)
  return {
    command: config.shellquote === 0 ? command : (job) => shellquoted(command(job), config.shellquote),
    tag: tagTemplate === undefined ? undefined : (job) => render(tagTemplate, job, false),
    jobs
  }
}
