/**
 * Which inputs become jobs, and in what order: `-r` drops a job whose inputs
 * include an empty or blank one, `--shuf` reads every input and runs the jobs
 * in a random order (as GNU parallel, whose `{#}` then follows the new order).
 *
 * @internal
 */
import type { Config } from "./config.js"

type Jobs = AsyncIterable<ReadonlyArray<string>>

const blank = /^\s*$/

async function* withoutBlank(jobs: Jobs): Jobs {
  for await (const args of jobs) {
    if (!args.some((arg) => blank.test(arg))) yield args
  }
}

async function* shuffled(jobs: Jobs): Jobs {
  const all: Array<ReadonlyArray<string>> = []
  for await (const args of jobs) all.push(args)
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[all[i], all[j]] = [all[j], all[i]]
  }
  yield* all
}

/** The jobs as `config` wants them run. @internal */
export const arrange = (config: Config, jobs: Jobs): Jobs => {
  const kept = config.noRunIfEmpty ? withoutBlank(jobs) : jobs
  return config.shuf ? shuffled(kept) : kept
}
