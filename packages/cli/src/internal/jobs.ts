/**
 * From records (one input per source, or its columns) to jobs: how many
 * records each job takes — one; `-n`/`-N`/`-L` of them; or, with `-X`, `-m`
 * and `--xargs`, as many as fit on a command line (`-s`) — and the number
 * and slot of each job. GNU parallel's `CommandLine::populate`.
 *
 * @internal
 */
import { InputError } from "./inputs.js"
import type { Job } from "./template.js"
import { lengthBound, LineLength, noArg, type Template } from "./template.js"

/** GNU parallel's usable command line on Linux: (130329 measured by its search − 3000) / 2. @internal */
export const defaultMaxChars = 63664

/** @internal */
export interface Grouping {
  /** Records a job takes at most; undefined: as many as fit (`-X`, `-m`, `--xargs`). */
  readonly maxArgs: number | undefined
  /** `-n0`, `-N0`: each record is taken, and shown as no input at all. */
  readonly noArgs: boolean
  /** `-X` and `-m`: the last inputs are spread over the job slots rather than left to one job. */
  readonly spread: boolean
  /** The longest command line, in characters, as GNU parallel estimates it. */
  readonly maxChars: number
  /** Job slots; `Infinity` for `-j 0`. */
  readonly slots: number
}

/**
 * `-j 0`: the slots fanout runs (runBatch's 256). GNU parallel's number is the files it may
 * open (4995 here), so `-j0 -X` spreads its last inputs differently.
 */
const unlimitedSlots = 256

/** Records, read a batch at a time, that can be looked ahead at and taken back. */
class Records {
  private held: ReadonlyArray<ReadonlyArray<string>> = []
  private next = 0
  private done = false
  read = 0
  constructor(private readonly batches: AsyncIterator<ReadonlyArray<ReadonlyArray<string>>>) {}

  async empty(): Promise<boolean> {
    while (this.next === this.held.length) {
      if (this.done) return true
      const batch = await this.batches.next()
      if (batch.done === true) this.done = true
      else {
        this.held = batch.value
        this.next = 0
      }
    }
    return false
  }

  /** The next record of the batch at hand; undefined when a batch must be awaited (`empty`). */
  takeHeld(): ReadonlyArray<string> | undefined {
    if (this.next === this.held.length) return undefined
    this.read += 1
    return this.held[this.next++]
  }

  unget(records: ReadonlyArray<ReadonlyArray<string>>): void {
    this.read -= records.length
    // Taken back where they were taken from, as they mostly are: no copy of the batch for each job.
    if (
      this.next >= records.length && records.every((record, i) => this.held[this.next - records.length + i] === record)
    ) {
      this.next -= records.length
      return
    }
    this.held = [...records, ...this.held.slice(this.next)]
    this.next = 0
  }
}

const tooLong = (length: number, max: number, input: number, record: ReadonlyArray<string>) => {
  const text = record.join(" ")
  return new InputError({
    message: `command line too long (${length} >= ${max} characters, see -s) at input ${input}: ${
      text.length > 50 ? `${text.slice(0, 50)}...` : text
    }`
  })
}

/** `records.flat()`, which is slow in V8. */
const flatten = (records: ReadonlyArray<ReadonlyArray<string>>): Array<string> => {
  const args: Array<string> = []
  for (const record of records) for (const arg of record) args.push(arg)
  return args
}

/**
 * The jobs, each with its inputs flattened (`{1}` is the first of all its
 * records' inputs); `seq` from 1. `slot` is 1 here: the runner assigns it.
 *
 * @internal
 */
export async function* group(
  records: AsyncIterable<ReadonlyArray<ReadonlyArray<string>>>,
  template: Template,
  grouping: Grouping
): AsyncGenerator<Job> {
  const queue = new Records(records[Symbol.asyncIterator]())
  const slots = grouping.slots === Infinity ? unlimitedSlots : grouping.slots
  let maxArgs = grouping.maxArgs
  let spread = false
  for (let seq = 1;; seq++) {
    const info = { seq, slot: 1, total: 0, slots }
    // GNU parallel's estimate is made only once a cheap bound on it comes near the limit.
    let bound = 0
    let length: LineLength | undefined
    const taken: Array<ReadonlyArray<string>> = []
    while (maxArgs === undefined || taken.length < maxArgs) {
      // An await only for a new batch: one for each record would cost more than the record.
      let record = queue.takeHeld()
      if (record === undefined) {
        if (await queue.empty()) break
        record = queue.takeHeld()!
      }
      if (grouping.noArgs) record = record.map(() => noArg)
      taken.push(record)
      if (length === undefined) {
        bound += lengthBound(template, record, taken.length === 1)
        if (bound >= grouping.maxChars) {
          length = new LineLength(template)
          for (const each of taken) length.push(each, info)
        }
      } else {
        length.push(record, info)
      }
      if (length !== undefined && length.value >= grouping.maxChars) {
        if (taken.length === 1) throw tooLong(length.value, grouping.maxChars, queue.read, record)
        length.pop(record, info)
        queue.unget([taken.pop()!])
        break
      }
    }
    if (grouping.spread && !spread && (await queue.empty())) {
      // The last inputs: as many jobs as slots, not one full job and idle slots.
      spread = true
      if (taken.length > 1) {
        maxArgs = Math.ceil(taken.length / slots)
        queue.unget(taken.splice(maxArgs))
      }
    }
    if (taken.length === 0) return
    yield { ...info, args: taken.length === 1 ? taken[0] : flatten(taken) }
  }
}

/**
 * The jobs with `total` set, for `{##}` and `{0#}`: every input is read first.
 *
 * @internal
 */
export const counted = async (jobs: AsyncIterable<Job>): Promise<AsyncIterable<Job>> => {
  const all: Array<Job> = []
  for await (const job of jobs) all.push(job)
  return (async function*() {
    for (const job of all) yield { ...job, total: all.length }
  })()
}
