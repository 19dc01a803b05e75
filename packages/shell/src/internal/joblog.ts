/** @internal */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import type { JobResult } from "../Job.js"
import type { JoblogWriter, ResumeMode } from "../Joblog.js"
import * as Bytes from "./bytes.js"
import { signalNumber } from "./termSeq.js"

/** @internal */
export const header = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

/** @internal */
export class JoblogError extends Data.TaggedError("JoblogError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `joblog ${this.path}: ${this.reason}`
  }
}

/**
 * GNU parallel's row: Exitval is -1 for a job killed because it timed out
 * (Signal then says which signal ended it), 0 for one killed by a signal;
 * JobRuntime is `%10.3f` seconds; newlines in the command become NUL.
 *
 * @internal
 */
export const formatRow = (result: JobResult): string => {
  const exitval = result.timedOut ? -1 : result.exitCode ?? 0
  const signal = result.signal === null ? 0 : signalNumber(result.signal)
  return [
    result.seq,
    ":",
    (result.start / 1000).toFixed(3),
    (result.runtime / 1000).toFixed(3).padStart(10),
    0,
    result.stdoutBytes,
    exitval,
    signal,
    result.command.replace(/\n/g, "\0")
  ].join("\t") + "\n"
}

const errnoReason = (error: unknown): string => {
  const e = error as NodeJS.ErrnoException
  return e.code === "ENOENT" ? "no such file or directory" : e.code === "EACCES" ? "permission denied" : e.message
}

/** Truncates a log to its last whole row, so that rows appended after a crash start on a line of their own. */
const dropCutLine = (path: string): void => {
  let text: Buffer
  try {
    text = fs.readFileSync(path)
  } catch {
    return
  }
  if (text.length > 0 && text[text.length - 1] !== 0x0a) fs.truncateSync(path, text.lastIndexOf(0x0a) + 1)
}

/** @internal */
export const open = (
  path: string,
  options: { readonly append?: boolean | undefined; readonly header?: boolean | undefined } = {}
): Effect.Effect<JoblogWriter, JoblogError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        // `-` is our stdout, as in GNU parallel: the header, then a row as each job ends.
        if (path === "-") {
          if (options.header !== false) fs.writeSync(1, header)
          return 1
        }
        if (options.append === true) dropCutLine(path)
        const fd = fs.openSync(path, options.append === true ? "a" : "w")
        if (options.header !== false && fs.fstatSync(fd).size === 0) fs.writeSync(fd, header)
        return fd
      },
      catch: (error) => new JoblogError({ path, reason: errnoReason(error) })
    }),
    (fd) => Effect.sync(() => fd !== 1 && fs.closeSync(fd))
  ).pipe(Effect.map((fd): JoblogWriter => ({
    write: (result) =>
      Effect.try({
        try: () => void fs.writeSync(fd, Bytes.encode(formatRow(result))),
        catch: (error) => new JoblogError({ path, reason: errnoReason(error) })
      })
  })))

/** A set of seqs as a bit per seq: 10^6 jobs take 125 kB. */
class SeqSet {
  /** The cut-off last line, if the log had one. */
  cut: string | undefined = undefined
  private bits = new Uint8Array(1024)
  size = 0
  add(seq: number): void {
    const byte = seq >>> 3
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1))
      grown.set(this.bits)
      this.bits = grown
    }
    const mask = 1 << (seq & 7)
    if ((this.bits[byte] & mask) === 0) this.size++
    this.bits[byte] |= mask
  }
  has(seq: number): boolean {
    const byte = seq >>> 3
    return byte < this.bits.length && (this.bits[byte] & (1 << (seq & 7))) !== 0
  }
}

const rowPattern = /^(\d+)\t[^\t]*\t[-0-9.]+\t *[-0-9.]+\t[-0-9.]+\t[-0-9.]+\t(-?\d+)\t(\d+)\t/

/**
 * The seqs to skip when resuming, read as GNU parallel reads them: with
 * `resume`, every seq with a row; with `resume-failed`, seqs with a row whose
 * Exitval and Signal are both 0. A missing file means nothing to skip.
 *
 * @internal
 */
export const finishedSeqs = (
  path: string,
  mode: ResumeMode
): Effect.Effect<
  { readonly has: (seq: number) => boolean; readonly size: number; readonly cut: string | undefined },
  JoblogError
> =>
  Effect.tryPromise({
    try: async () => {
      const seqs = new SeqSet()
      let text: string
      try {
        text = await fs.promises.readFile(path, "utf8")
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return seqs
        throw error
      }
      const lines = text.split("\n")
      // A last line without its newline was cut off by a crash mid-write: read up to the last whole row.
      const cut = lines.pop()
      if (cut !== undefined && cut !== "") seqs.cut = cut
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]
        if (line === "") continue
        const match = rowPattern.exec(line)
        if (match === null) {
          throw new JoblogError({ path, reason: `line ${i + 1} is not a joblog row: ${line.slice(0, 80)}` })
        }
        if (mode === "all" || (match[2] === "0" && match[3] === "0")) {
          seqs.add(Number(match[1]))
        }
      }
      return seqs
    },
    catch: (error) => error instanceof JoblogError ? error : new JoblogError({ path, reason: errnoReason(error) })
  })
