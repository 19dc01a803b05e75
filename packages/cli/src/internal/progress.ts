/**
 * `--progress`, `--bar`, `--eta`: one status line on stderr. On a terminal it is
 * redrawn in place as jobs end; elsewhere (a log file, a pipe) only the final
 * line is written, so logs do not fill with redraws.
 *
 * The total is known only when every input is on the command line (`:::`):
 * fanout does not read a file or stdin ahead just to count it (GNU parallel
 * does for --bar/--eta, and holds every input in memory to do so). Without a
 * total the line shows counts, rate and elapsed time, but no bar or ETA.
 *
 * @internal
 */
import type { Job } from "@fanout/shell"
import * as Effect from "effect/Effect"
import { Writable } from "node:stream"
import type { Config } from "./config.js"

/** Jobs the sources make, when they are all `:::` args; `undefined` otherwise. @internal */
export const knownTotal = (config: Config): number | undefined => {
  // -X, -m: as many records a job as fit; --header: a record of each source is no input.
  const perJob = config.grouping.maxArgs
  if (perJob === undefined || (config.header !== undefined && config.header !== "0")) return undefined
  const sizes: Array<number> = []
  for (const group of config.sources) {
    let size = Infinity
    for (const source of group) {
      if (source._tag !== "Args") return undefined
      size = Math.min(size, source.values.length)
    }
    sizes.push(size === Infinity ? 0 : size)
  }
  if (sizes.length === 0) return undefined
  return Math.ceil((config.link ? Math.max(...sizes) : sizes.reduce((a, b) => a * b, 1)) / perJob)
}

const seconds = (ms: number) => {
  const s = Math.round(ms / 1000)
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
}

/** @internal */
export interface Progress {
  readonly onJobEnd: (result: Job.JobResult) => Effect.Effect<void>
  readonly finish: Effect.Effect<void>
  /**
   * Our stdout, for job output: on a terminal the status line is erased before
   * each write and drawn again after it, so output never lands on the line.
   */
  readonly stdout: (stdout: NodeJS.WritableStream) => NodeJS.WritableStream
}

/** Erases the status line before each chunk and redraws it after one that ends a line. */
const aroundStatus = (stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream, line: () => string) =>
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stderr.write("\r\x1b[K")
      stdout.write(chunk, (error) => {
        if (chunk[chunk.length - 1] === 0x0a) stderr.write(`\r${line()}\x1b[K`)
        callback(error)
      })
    }
  })

/** @internal */
export const make = (
  config: Config,
  stderr: NodeJS.WritableStream & { readonly isTTY?: boolean }
): Progress | undefined => {
  if (!config.progress && !config.bar && !config.eta) return undefined
  // GNU parallel: --total-jobs is used when given, the count fanout can make otherwise
  const total = config.totalJobs ?? knownTotal(config)
  const live = stderr.isTTY === true
  const started = Date.now()
  let done = 0
  let failed = 0
  const line = () => {
    const elapsed = Date.now() - started
    const parts: Array<string> = []
    if (config.bar && total !== undefined && total > 0) {
      const width = 20
      const filled = Math.round((done / total) * width)
      parts.push(`[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.floor((done / total) * 100)}%`)
    }
    parts.push(`${done}${total === undefined ? "" : `/${total}`} done`)
    if (failed > 0) parts.push(`${failed} failed`)
    parts.push(`${(done / Math.max(elapsed / 1000, 0.001)).toFixed(1)} jobs/s`, `${seconds(elapsed)} elapsed`)
    if (config.eta && total !== undefined && done > 0 && done < total) {
      parts.push(`ETA ${seconds(((total - done) * elapsed) / done)}`)
    }
    return `fanout: ${parts.join(", ")}`
  }
  return {
    onJobEnd: (result) =>
      Effect.sync(() => {
        done++
        if (result.exitCode !== 0 || result.signal !== null) failed++
        if (live) stderr.write(`\r${line()}\x1b[K`)
      }),
    finish: Effect.sync(() => void stderr.write(live ? `\r${line()}\x1b[K\n` : `${line()}\n`)),
    stdout: (stdout) =>
      live && (stdout as { isTTY?: boolean }).isTTY === true ? aroundStatus(stdout, stderr, line) : stdout
  }
}
