/**
 * Which inputs become jobs, and in what order: `-r` drops a job whose inputs
 * include an empty or blank one, `--shuf` reads every input and runs the jobs
 * in a random order (as GNU parallel, whose `{#}` then follows the new order).
 *
 * @internal
 */
import type { Config } from "./config.js"

/** Records in batches, as the inputs are read. */
type Records = AsyncIterable<ReadonlyArray<ReadonlyArray<string>>>

const blank = /^\s*$/

async function* withoutBlank(records: Records): Records {
  for await (const batch of records) {
    const kept = batch.filter((args) => !args.some((arg) => blank.test(arg)))
    if (kept.length > 0) yield kept
  }
}

async function* shuffled(records: Records): Records {
  const all: Array<ReadonlyArray<string>> = []
  for await (const batch of records) for (const args of batch) all.push(args)
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[all[i], all[j]] = [all[j], all[i]]
  }
  yield all
}

/** The records as `config` wants them made into jobs (grouped after: `-n2 -r` takes two non-blank ones). @internal */
export const arrange = (config: Config, records: Records): Records => {
  const kept = config.noRunIfEmpty ? withoutBlank(records) : records
  return config.shuf ? shuffled(kept) : kept
}
