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
import { LineLength, noArg, type Template } from "./template.js"

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

/** `-j 0` as GNU parallel measures it here (it is bounded by the files it may open). */
const unlimitedSlots = 252

/** An async iterator that can look ahead and take records back. */
class Records {
  private readonly held: Array<ReadonlyArray<string>> = []
  private done = false
  read = 0
  constructor(private readonly iterator: AsyncIterator<ReadonlyArray<string>>) {}

  async empty(): Promise<boolean> {
    if (this.held.length > 0) return false
    if (this.done) return true
    const next = await this.iterator.next()
    if (next.done === true) {
      this.done = true
      return true
    }
    this.held.push(next.value)
    return false
  }

  async take(): Promise<ReadonlyArray<string> | undefined> {
    if (await this.empty()) return undefined
    this.read += 1
    return this.held.shift()
  }

  unget(records: ReadonlyArray<ReadonlyArray<string>>): void {
    this.read -= records.length
    this.held.unshift(...records)
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

/**
 * The jobs, each with its inputs flattened (`{1}` is the first of all its
 * records' inputs); `seq` from 1. `slot` is 1 here: the runner assigns it.
 *
 * @internal
 */
export async function* group(
  records: AsyncIterable<ReadonlyArray<string>>,
  template: Template,
  grouping: Grouping
): AsyncGenerator<Job> {
  const queue = new Records(records[Symbol.asyncIterator]())
  const slots = grouping.slots === Infinity ? unlimitedSlots : grouping.slots
  let maxArgs = grouping.maxArgs
  let spread = false
  for (let seq = 1;; seq++) {
    const info = { seq, slot: 1, total: 0, slots }
    const length = new LineLength(template)
    const taken: Array<ReadonlyArray<string>> = []
    while (!(await queue.empty())) {
      let record = (await queue.take())!
      if (grouping.noArgs) record = record.map(() => noArg)
      taken.push(record)
      length.push(record, info)
      if (length.value >= grouping.maxChars) {
        if (taken.length === 1) throw tooLong(length.value, grouping.maxChars, queue.read, record)
        length.pop(record, info)
        queue.unget([taken.pop()!])
        break
      }
      if (maxArgs !== undefined && taken.length >= maxArgs) break
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
    yield { ...info, args: taken.flat() }
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
