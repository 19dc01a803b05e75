/**
 * `--dry-run`: every job's command line on stdout, one a line, exactly as GNU
 * parallel prints them.
 *
 * @internal
 */
import { Bytes } from "@fanout/shell"
import type { Config } from "./options.js"
import { render } from "./template.js"

/**
 * GNU parallel's `{%}` under `--dry-run`: its dry jobs end at once, so only
 * slots 1 and 2 take turns (slot 1 alone with `-j 1`, a new slot a job with
 * `-j 0`). Copied so the printed lines match.
 */
const drySlot = (jobs: number, seq: number): number => jobs === Infinity ? seq : jobs === 1 ? 1 : ((seq - 1) % 2) + 1

/** Raised when stdout's reader went away: stop quietly. @internal */
export class BrokenPipe extends Error {}

/** @internal */
export const dryRun = async (
  config: Config,
  jobs: AsyncIterable<ReadonlyArray<string>>,
  out: NodeJS.WritableStream,
  signal: AbortSignal
): Promise<void> => {
  let broken = false
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") broken = true
    else throw error
  }
  // Kept for good: the EPIPE may be reported after the last write returned.
  out.on("error", onError)
  let buffer = ""
  let pending: Promise<void> | undefined
  const write = () => {
    if (buffer === "" || broken) return
    const ok = out.write(Bytes.encode(buffer))
    buffer = ""
    if (!ok) {
      // A stream that failed (EPIPE) never drains: stop waiting on any of the three.
      pending = new Promise<void>((resolve) => {
        const done = () => {
          out.off("drain", done).off("close", done).off("error", done)
          resolve()
        }
        out.on("drain", done).on("close", done).on("error", done)
      })
    }
  }
  // Lines go out in big writes while inputs keep coming, and at once when
  // fanout would wait for more input (the immediate runs only then).
  let scheduled: NodeJS.Immediate | undefined
  const flushWhenIdle = () => {
    scheduled ??= setImmediate(() => {
      scheduled = undefined
      write()
    })
  }
  let seq = 0
  try {
    for await (const args of jobs) {
      if (signal.aborted || broken) break
      seq += 1
      buffer += render(config.template, args, seq, drySlot(config.jobs, seq)) + "\n"
      if (buffer.length >= 1 << 16) write()
      else flushWhenIdle()
      if (pending !== undefined) {
        await pending
        pending = undefined
      }
    }
  } finally {
    if (scheduled !== undefined) clearImmediate(scheduled)
  }
  write()
  if (pending !== undefined) await pending
  if (broken) throw new BrokenPipe()
}
