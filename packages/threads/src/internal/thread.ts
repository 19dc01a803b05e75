/**
 * One worker thread and its life: starting, then ready for one call at a
 * time, until it exits (by itself, a crash, or `terminate`).
 *
 * @internal
 */
import { type ResourceLimits, type TransferListItem, Worker } from "node:worker_threads"
import { bootstrap } from "./bootstrap.js"
import type { SerializedError } from "./errors.js"

/** @internal */
export interface ThreadOptions {
  /** The module's URL (`file:` for a path). */
  readonly module: string
  readonly resourceLimits: ResourceLimits | undefined
  readonly execArgv: ReadonlyArray<string> | undefined
  readonly env: Readonly<Record<string, string>> | undefined
  /** tsx's ESM API (a file URL) to register before importing a TypeScript module. */
  readonly tsLoader: string | undefined
  /** Report the heap after each call (for recycling above a heap size). */
  readonly reportHeap: boolean
}

/** How a call ended. @internal */
export type Outcome =
  | { readonly _tag: "Done"; readonly value: unknown; readonly heapUsed: number | undefined }
  | { readonly _tag: "Failed"; readonly error: SerializedError }
  | { readonly _tag: "Crashed"; readonly exitCode: number | undefined; readonly reason: string }

type Message =
  | { readonly type: "ready" }
  | { readonly type: "startError"; readonly error: SerializedError }
  | { readonly type: "done"; readonly id: number; readonly value: unknown; readonly heapUsed?: number }
  | { readonly type: "failed"; readonly id: number; readonly error: SerializedError }

const plainError = (name: string, message: string): SerializedError => ({
  name,
  message,
  stack: undefined,
  properties: {}
})

const describe = (error: unknown): SerializedError =>
  error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack, properties: {} }
    : plainError("Error", String(error))

/** @internal */
export class Thread {
  readonly worker: Worker
  /** Resolves once the thread has exited, however it went. */
  readonly exited: Promise<void>
  /** Resolves with `undefined` once ready, or with why it could not start. */
  readonly started: Promise<SerializedError | undefined>
  state: "starting" | "ready" | "dead" = "starting"
  calls = 0
  heapUsed = 0
  private onStart!: (error: SerializedError | undefined) => void
  private onReply: ((outcome: Outcome) => void) | undefined
  private lastError: SerializedError | undefined

  constructor(readonly id: number, options: ThreadOptions, onExit: (thread: Thread) => void) {
    this.started = new Promise((resolve) => (this.onStart = resolve))
    this.worker = new Worker(bootstrap, {
      eval: true,
      workerData: { module: options.module, tsLoader: options.tsLoader, reportHeap: options.reportHeap },
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
      ...(options.execArgv === undefined ? {} : { execArgv: [...options.execArgv] }),
      ...(options.env === undefined ? {} : { env: { ...options.env } })
    })
    this.worker.on("message", (message: Message) => this.message(message))
    this.worker.on("error", (error) => (this.lastError = describe(error)))
    this.exited = new Promise((resolve) =>
      this.worker.once("exit", (code) => {
        this.exit(code)
        onExit(this)
        resolve()
      })
    )
  }

  /** Sends one call; `onReply` hears how it ended (also if the thread dies first). */
  call(
    id: number,
    name: string,
    args: ReadonlyArray<unknown>,
    transfer: ReadonlyArray<TransferListItem>,
    onReply: (
      outcome: Outcome
    ) => void
  ): void {
    this.calls += 1
    this.onReply = onReply
    try {
      this.worker.postMessage({ id, name, args }, transfer as Array<TransferListItem>)
    } catch (error) {
      // Arguments that cannot be cloned (a function): the call never reached the thread.
      this.reply({ _tag: "Failed", error: describe(error) })
    }
  }

  /** Stops the thread, even one stuck in a loop, and resolves once it has exited. */
  terminate(): Promise<void> {
    if (this.state !== "dead") void this.worker.terminate()
    return this.exited
  }

  private message(message: Message): void {
    switch (message.type) {
      case "ready":
        this.state = "ready"
        return this.onStart(undefined)
      case "startError":
        return this.onStart(message.error)
      case "done":
        this.heapUsed = message.heapUsed ?? 0
        return this.reply({ _tag: "Done", value: message.value, heapUsed: message.heapUsed })
      case "failed":
        return this.reply({ _tag: "Failed", error: message.error })
    }
  }

  private exit(code: number): void {
    const wasReady = this.state === "ready"
    this.state = "dead"
    const why = this.lastError ?? plainError("Error", `the thread exited with code ${code}`)
    if (!wasReady) this.onStart(why)
    this.reply({ _tag: "Crashed", exitCode: code, reason: `${why.name}: ${why.message}` })
  }

  private reply(outcome: Outcome): void {
    const onReply = this.onReply
    this.onReply = undefined
    onReply?.(outcome)
  }
}
