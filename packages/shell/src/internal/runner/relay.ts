import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import type { OutputClosedError } from "../../Output.js"
import type { HelperJob } from "./helper.js"
import { windowBytes } from "./protocol.js"
import { type Sink, takeNowOf } from "./types.js"

/**
 * One relayed stream of a job: chunks written to the sink one at a time, acknowledged to the helper.
 *
 * @internal
 */
export class Relay {
  private readonly queue: Array<Buffer> = []
  private busy: ((id?: FiberId.FiberId) => void) | undefined
  private unacked = 0
  private readonly takeNow: ((chunk: Uint8Array) => boolean) | undefined

  constructor(private readonly job: HelperJob, private readonly sink: Sink) {
    this.takeNow = takeNowOf(sink)
  }

  get idle(): boolean {
    return this.busy === undefined && this.queue.length === 0
  }

  push(chunk: Buffer) {
    if (this.idle && this.takeNow?.(chunk) === true) return this.onWritten(chunk.length, Exit.void)
    this.queue.push(chunk)
    this.pump()
  }

  private pump() {
    if (this.busy !== undefined) return
    const chunk = this.queue.shift()
    if (chunk === undefined) return
    let sync = true
    let done = false
    const interrupt = this.job.runCallback(this.sink(chunk), {
      onExit: (exit) => {
        done = true
        this.busy = undefined
        this.onWritten(chunk.length, exit)
        if (!sync) this.pump()
      }
    })
    sync = false
    if (!done) this.busy = interrupt
    else this.pump()
  }

  private onWritten(length: number, exit: Exit.Exit<void, OutputClosedError>) {
    // Acknowledged a quarter window at a time: a job that prints little costs no frame back.
    this.unacked += length
    if (this.unacked >= windowBytes / 4) {
      this.job.ack(this.unacked)
      this.unacked = 0
    }
    if (Exit.isFailure(exit) && !Exit.isInterrupted(exit)) this.job.onSinkFailure(exit.cause)
    this.job.settle()
  }

  cancel() {
    this.queue.length = 0
    this.busy?.(FiberId.none)
    this.busy = undefined
  }
}
