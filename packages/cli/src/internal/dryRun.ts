/**
 * `--dry-run`: every job's command line on stdout, one a line, exactly as GNU
 * parallel prints them.
 *
 * @internal
 */
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
  const flush = async () => {
    if (buffer === "") return
    const ok = out.write(buffer)
    buffer = ""
    if (!ok && !broken) await new Promise<void>((resolve) => out.once("drain", resolve))
  }
  let seq = 0
  for await (const args of jobs) {
    if (signal.aborted || broken) break
    seq += 1
    buffer += render(config.template, args, seq, drySlot(config.jobs, seq)) + "\n"
    if (buffer.length >= 1 << 16) await flush()
  }
  await flush()
  if (broken) throw new BrokenPipe()
}
