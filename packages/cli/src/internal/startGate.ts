/**
 * When the next job may start: while fewer jobs run than the slots allow, and
 * the machine allows it. The slots are `-j N`, or the number in `-j FILE`,
 * read again each time a job ends (GNU parallel's way to resize a running
 * batch), and one more or one fewer on SIGUSR1 or SIGUSR2 (as `xargs -P`).
 * `--memfree SIZE`: only while at least SIZE bytes of memory are available;
 * `--load MAX`: only while fewer than MAX processes are running.
 *
 * The batch's pool has room for more jobs than this lets start; the inputs
 * wait here, as the batch reads them only when a job may start.
 *
 * @internal
 */
import * as fs from "node:fs"
import { parseJobs } from "./values.js"

/** How often a gate waiting for memory or load looks again (GNU parallel looks about once a second). */
const pollMs = 100

/** Bytes of memory available for new processes (MemAvailable), or undefined where /proc does not tell. */
const memAvailable = (): number | undefined => {
  try {
    const match = /^MemAvailable:\s+(\d+) kB$/m.exec(fs.readFileSync("/proc/meminfo", "latin1"))
    return match === null ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

/** Processes running now, this one not counted (the 4th field of /proc/loadavg is running/total). */
const running = (): number | undefined => {
  try {
    const field = fs.readFileSync("/proc/loadavg", "latin1").split(" ")[3]
    return Number(field.split("/")[0]) - 1
  } catch {
    return undefined
  }
}

/** @internal */
export interface GateOptions {
  readonly jobs: number
  readonly jobsFile: string | undefined
  readonly memFree: number | undefined
  readonly load: number | undefined
}

/** @internal */
export class StartGate {
  private limit: number
  private inFlight = 0
  private readonly waiting: Array<() => void> = []
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly options: GateOptions) {
    this.limit = options.jobs
  }

  /** Resolves when one more job may start, and counts it as running. */
  enter(): Promise<void> | undefined {
    if (this.waiting.length === 0 && this.open()) {
      this.inFlight++
      return undefined
    }
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.inFlight++
        resolve()
      })
      this.wake()
    })
  }

  /** A job ended: its slot is free, and the slots are counted again from `-j FILE`. */
  leave(): void {
    this.inFlight--
    this.reread()
    this.wake()
  }

  /** SIGUSR1 and SIGUSR2: one slot more or fewer, never fewer than one. */
  resize(by: number): void {
    this.limit = Math.max(1, this.limit + by)
    this.wake()
  }

  /** Stops polling: nothing more starts. */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  private open(): boolean {
    if (this.inFlight >= this.limit) return false
    // The first job always starts: a machine that never has the memory or load asked for must not hang fanout.
    if (this.inFlight === 0) return true
    const { load, memFree } = this.options
    if (memFree !== undefined && (memAvailable() ?? Infinity) < memFree) return false
    if (load !== undefined && (running() ?? 0) >= load) return false
    return true
  }

  private wake(): void {
    while (this.waiting.length > 0 && this.open()) this.waiting.shift()!()
    if (this.waiting.length > 0 && this.inFlight < this.limit && this.timer === undefined) {
      // waiting for memory or load, which no event of ours changes: look again soon
      this.timer = setTimeout(() => {
        this.timer = undefined
        this.wake()
      }, pollMs)
    }
  }

  private reread(): void {
    const file = this.options.jobsFile
    if (file === undefined) return
    try {
      this.limit = parseJobs(fs.readFileSync(file, "utf8").trim())
    } catch {
      // a file caught half-written, or a bad number in it: keep the slots we have, as GNU parallel does
    }
  }
}
