/**
 * The thread pool: a fixed set of threads, and `@fanout/pool`'s `WorkerPool`
 * for the waiting line, so the queue, `PoolClosedError`, timeouts, stats,
 * metrics and spans are the same as for Effects. A call holds one of `size`
 * permits and so always finds a thread of its own.
 *
 * Own code on `node:worker_threads` rather than `@effect/platform`'s Worker:
 * that one interrupts a running request only by a message the thread reads
 * when it is free (a `while (true) {}` keeps its thread, and the next request
 * is sent to it), waits up to 5 s on close without awaiting `terminate()`, and
 * respawns a thread that fails to load every second while `makePool` hangs.
 *
 * @internal
 */
import { PoolClosedError, WorkerPool } from "@fanout/pool"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import type { TransferListItem } from "node:worker_threads"
import type { Options, RunOptions, Stats, ThreadPool } from "../ThreadPool.js"
import { isTransferred, transferKey } from "../Transfer.js"
import { ThreadCrashError, ThreadPoolStartError, ThreadTaskError } from "./errors.js"
import { type Outcome, Thread, type ThreadOptions } from "./thread.js"

const moduleUrl = (module: URL | string): string =>
  module instanceof URL ? module.href : /^[a-z][a-z0-9+.-]*:/i.test(module) && !path.isAbsolute(module)
    ? module
    : pathToFileURL(path.resolve(module)).href

/**
 * For a TypeScript module, tsx's ESM API as the module's own project resolves
 * it. `require.resolve` gives the CommonJS entry, whose `register` resolves its
 * hooks to a path that does not exist when imported; the ESM file beside it works.
 */
const tsLoaderFor = (module: string): string | undefined => {
  if (!module.startsWith("file:") || !/\.[cm]?tsx?$/.test(module)) return undefined
  try {
    const cjs = createRequire(fileURLToPath(module)).resolve("tsx/esm/api")
    const esm = cjs.replace(/\.cjs$/, ".mjs")
    return fs.existsSync(esm) ? pathToFileURL(esm).href : undefined
  } catch {
    return undefined
  }
}

/** Arguments as sent: values marked with `transfer` unwrapped, their buffers gathered. */
const unwrapArgs = (args: ReadonlyArray<unknown>): [Array<unknown>, Array<TransferListItem>] => {
  const list: Array<TransferListItem> = []
  const values = args.map((arg) => {
    if (!isTransferred(arg)) return arg
    list.push(...arg[transferKey])
    return arg.value
  })
  return [values, list]
}

/** One place a thread lives; its thread is replaced when it dies or is recycled. */
interface Slot {
  thread: Thread
}

class Threads {
  private readonly idle: Array<Slot> = []
  private readonly alive = new Set<Thread>()
  private nextId = 0
  private nextCall = 0
  closing = false
  replaced = 0

  constructor(private readonly options: ThreadOptions, private readonly recycle: Options["recycle"], size: number) {
    for (let i = 0; i < size; i++) this.idle.push({ thread: this.spawn() })
  }

  get size() {
    return this.alive.size
  }

  /** Every first thread ready, or the first reason one could not start. */
  started(): Promise<ReadonlyArray<SerializedStart>> {
    return Promise.all(this.idle.map((slot) => slot.thread.started))
  }

  private spawn(): Thread {
    const thread = new Thread(++this.nextId, this.options, (dead) => this.alive.delete(dead))
    this.alive.add(thread)
    return thread
  }

  private replace(slot: Slot): void {
    void slot.thread.terminate()
    this.replaced += 1
    slot.thread = this.spawn()
  }

  /** A call of `name` on a thread of its own (the caller holds a permit, so one is idle). */
  run(name: string, args: ReadonlyArray<unknown>): Effect.Effect<unknown, ThreadTaskError | ThreadCrashError> {
    return Effect.suspend(() => {
      const slot = this.idle.pop()!
      return Effect.ensuring(
        Effect.flatMap(this.ready(slot, name), (thread) => this.call(thread, name, args)),
        Effect.sync(() => this.giveBack(slot))
      )
    })
  }

  private ready(slot: Slot, name: string): Effect.Effect<Thread, ThreadCrashError> {
    if (slot.thread.state === "dead") this.replace(slot)
    const thread = slot.thread
    if (thread.state === "ready") return Effect.succeed(thread)
    return Effect.flatMap(Effect.promise(() => thread.started), (error) =>
      error === undefined
        ? Effect.succeed(thread)
        : Effect.fail(
          new ThreadCrashError({
            thread: thread.id,
            call: name,
            exitCode: undefined,
            reason: `its replacement could not start: ${error.name}: ${error.message}`
          })
        ))
  }

  private call(thread: Thread, name: string, args: ReadonlyArray<unknown>) {
    return Effect.async<unknown, ThreadTaskError | ThreadCrashError>((resume) => {
      const [values, transfer] = unwrapArgs(args)
      thread.call(++this.nextCall, name, values, transfer, (outcome) => resume(this.settle(thread, name, outcome)))
      // Interrupted while it runs: a JavaScript call cannot be cancelled, so the thread goes.
      return Effect.promise(() => thread.terminate())
    })
  }

  private settle(
    thread: Thread,
    name: string,
    outcome: Outcome
  ): Effect.Effect<unknown, ThreadTaskError | ThreadCrashError> {
    switch (outcome._tag) {
      case "Done":
        return Effect.succeed(outcome.value)
      case "Failed":
        return Effect.fail(
          new ThreadTaskError({
            ...outcome.error,
            stack: outcome.error.stack ?? `${outcome.error.name}: ${outcome.error.message}`,
            thread: thread.id,
            call: name
          })
        )
      case "Crashed":
        return Effect.fail(
          new ThreadCrashError({ thread: thread.id, call: name, exitCode: outcome.exitCode, reason: outcome.reason })
        )
    }
  }

  private giveBack(slot: Slot): void {
    if (!this.closing && this.due(slot.thread)) this.replace(slot)
    this.idle.push(slot)
  }

  /** Whether a thread must go after its call: it died, or it is due for recycling. */
  private due(thread: Thread): boolean {
    if (thread.state === "dead") return true
    const { afterCalls, heapUsedMb } = this.recycle ?? {}
    return (afterCalls !== undefined && thread.calls >= afterCalls) ||
      (heapUsedMb !== undefined && thread.heapUsed > heapUsedMb * 1024 * 1024)
  }

  /** Terminates every thread and resolves when all have exited. */
  close(): Promise<void> {
    this.closing = true
    return Promise.all([...this.alive].map((thread) => thread.terminate())).then(() => undefined)
  }
}

type SerializedStart = Awaited<Thread["started"]>

const validSize = (size: number | undefined): number => {
  const n = size ?? os.availableParallelism()
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`ThreadPool: size must be a whole number >= 1, got ${n}`)
  return n
}

const startThreads = (options: Options, size: number): Effect.Effect<Threads, ThreadPoolStartError, Scope.Scope> => {
  const module = moduleUrl(options.module)
  const threadOptions: ThreadOptions = {
    module,
    tsLoader: tsLoaderFor(module),
    resourceLimits: options.resourceLimits,
    execArgv: options.execArgv,
    env: options.env,
    reportHeap: options.recycle?.heapUsedMb !== undefined
  }
  return Effect.acquireRelease(
    Effect.flatMap(
      Effect.sync(() => new Threads(threadOptions, options.recycle, size)),
      (threads) =>
        Effect.flatMap(Effect.promise(() => threads.started()), (errors) => {
          const error = errors.find((e) => e !== undefined)
          if (error === undefined) return Effect.succeed(threads)
          return Effect.zipRight(
            Effect.promise(() => threads.close()),
            Effect.fail(new ThreadPoolStartError({ module, cause: error }))
          )
        })
    ),
    (threads) => Effect.promise(() => threads.close())
  )
}

/** @internal */
export const make = <M>(options: Options): Effect.Effect<ThreadPool<M>, ThreadPoolStartError, Scope.Scope> =>
  Effect.gen(function*() {
    const size = yield* Effect.sync(() => validSize(options.size))
    const threads = yield* startThreads(options, size)
    // Made after the threads, so it closes first: queued calls fail, running ones are interrupted (their threads end).
    const pool = yield* WorkerPool.make({ concurrency: size, capacity: Number.MAX_SAFE_INTEGER })
    // Runs before the pool closes: threads interrupted by the close are not replaced.
    yield* Effect.addFinalizer(() => Effect.sync(() => (threads.closing = true)))
    const runWith = (name: string, args: ReadonlyArray<unknown>, runOptions: RunOptions = {}) =>
      pool.submit(threads.run(name, args), { ...runOptions, label: runOptions.label ?? name })
    const stats: Effect.Effect<Stats> = Effect.map(pool.stats, (s) => ({
      ...s,
      threads: threads.size,
      replaced: threads.replaced
    }))
    return {
      size,
      run: (name: string, ...args: ReadonlyArray<unknown>) => runWith(name, args),
      runWith,
      stats
    } as unknown as ThreadPool<M>
  })

export { PoolClosedError }
