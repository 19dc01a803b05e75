/**
 * CPU-bound functions on real worker threads, at most `size` at once, with
 * Effect's guarantees: a call is an Effect, interrupting it stops its thread
 * (even one stuck in a loop) and waits until it has exited, and closing the
 * scope leaves no thread behind.
 *
 * @since 0.1.0
 */
import type { PoolClosedError, TaskTimeoutError, WorkerPool } from "@fanout/pool"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { ResourceLimits } from "node:worker_threads"
import * as errors from "./internal/errors.js"
import * as internal from "./internal/threadPool.js"

/**
 * A task threw (or its Promise rejected). `name`, `message` and `stack` are
 * the original error's (the stack is the thread's own), `properties` its own
 * enumerable properties; `thread` and `call` say where it ran. The thread stays usable.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { ThreadPool } from "@fanout/threads"
 *
 * const safe = (pool: ThreadPool.ThreadPool<{ parse: (s: string) => number }>) =>
 *   pool.run("parse", "x").pipe(Effect.catchTag("ThreadTaskError", (e) => Effect.succeed(e.name === "SyntaxError" ? 0 : -1)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ThreadTaskError: typeof errors.ThreadTaskError = errors.ThreadTaskError

/**
 * @since 0.1.0
 * @category errors
 */
export type ThreadTaskError = errors.ThreadTaskError

/**
 * The thread running the task died (`process.exit`, an uncaught exception
 * outside the task, out of memory under `resourceLimits`). It is replaced; the
 * next call runs normally.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { ThreadPool } from "@fanout/threads"
 *
 * // a crash is worth one more try: the pool has replaced the thread
 * const resilient = (pool: ThreadPool.ThreadPool<{ render: (page: number) => string }>, page: number) =>
 *   pool.run("render", page).pipe(Effect.catchTag("ThreadCrashError", () => pool.run("render", page)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ThreadCrashError: typeof errors.ThreadCrashError = errors.ThreadCrashError

/**
 * @since 0.1.0
 * @category errors
 */
export type ThreadCrashError = errors.ThreadCrashError

/**
 * The module could not be loaded in a thread (a missing file, a syntax error,
 * a throw at top level): `make` fails with it, naming the module and the cause.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreadPool } from "@fanout/threads"
 *
 * const started = ThreadPool.make({ module: "/srv/app/missing.mjs", size: 1 }).pipe(
 *   Effect.catchTag("ThreadPoolStartError", (e) => Effect.die(`cannot start the workers: ${e.message}`)),
 *   Effect.scoped
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ThreadPoolStartError: typeof errors.ThreadPoolStartError = errors.ThreadPoolStartError

/**
 * @since 0.1.0
 * @category errors
 */
export type ThreadPoolStartError = errors.ThreadPoolStartError

/**
 * Options of `make` and `layer`.
 *
 * @example
 * ```ts
 * import type { ThreadPool } from "@fanout/threads"
 *
 * const options: ThreadPool.Options = {
 *   module: new URL("./work.mjs", import.meta.url),
 *   size: 4,
 *   resourceLimits: { maxOldGenerationSizeMb: 256 },
 *   recycle: { afterCalls: 10_000 }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The module whose named exports the threads run: a URL or an absolute path (`.mjs`, `.js`, or `.ts` under tsx). */
  readonly module: URL | string
  /** Threads, and so calls running at once (default `os.availableParallelism()`). */
  readonly size?: number | undefined
  /** Passed to each `Worker` (heap and stack limits). */
  readonly resourceLimits?: ResourceLimits | undefined
  /** Node options of each thread (default: the process's own, so a loader such as tsx applies). */
  readonly execArgv?: ReadonlyArray<string> | undefined
  /** The environment each thread sees (default: a copy of the process's). */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** Replace a thread after this many calls, or once its heap is above this size. */
  readonly recycle?: { readonly afterCalls?: number | undefined; readonly heapUsedMb?: number | undefined } | undefined
}

/**
 * Per-call options of `runWith`.
 *
 * @example
 * ```ts
 * import type { ThreadPool } from "@fanout/threads"
 *
 * const urgent = (pool: ThreadPool.ThreadPool<{ resize: (width: number) => number }>) =>
 *   pool.runWith("resize", [640], { timeout: "5 seconds", priority: 1, label: "thumbnail" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** Counted from the start of the task; past it the thread is terminated and the call fails with `TaskTimeoutError`. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Higher runs first among waiting calls (default 0); FIFO among equals. */
  readonly priority?: number | undefined
  /** A name for the call in its span and errors (default: the export's name). */
  readonly label?: string | undefined
}

/**
 * `WorkerPool`'s stats, plus the threads alive and how many were replaced.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { ThreadPool } from "@fanout/threads"
 *
 * const unhealthy = <M>(pool: ThreadPool.ThreadPool<M>) => Effect.map(pool.stats, (s) => s.replaced > s.succeeded / 100)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats extends WorkerPool.Stats {
  readonly threads: number
  readonly replaced: number
}

type Callable = (...args: never) => unknown

/**
 * The names of a module's exports that are functions.
 *
 * @example
 * ```ts
 * import type { ThreadPool } from "@fanout/threads"
 *
 * type Work = { fib: (n: number) => number; version: string }
 * const name: ThreadPool.Name<Work> = "fib" // "version" is not a function: not a Name
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Name<M> = { readonly [K in keyof M]: M[K] extends Callable ? K : never }[keyof M] & string

/**
 * The arguments of export `K`.
 *
 * @example
 * ```ts
 * import type { ThreadPool } from "@fanout/threads"
 *
 * type Work = { scale: (image: Uint8Array, factor: number) => Uint8Array }
 * const args: ThreadPool.Args<Work, "scale"> = [new Uint8Array(4), 2]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Args<M, K extends keyof M> = M[K] extends (...args: infer P) => unknown ? P : never

/**
 * What a call of export `K` succeeds with (a Promise is awaited in the thread).
 *
 * @example
 * ```ts
 * import type { ThreadPool } from "@fanout/threads"
 *
 * type Work = { fetchAndHash: (url: string) => Promise<string> }
 * const hash: ThreadPool.Result<Work, "fetchAndHash"> = "9f86d08" // string, not Promise<string>
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Result<M, K extends keyof M> = M[K] extends (...args: never) => infer R ? Awaited<R> : never

/**
 * A pool of threads running the exports of module `M`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { ThreadPool } from "@fanout/threads"
 *
 * const twice = (pool: ThreadPool.ThreadPool<{ fib: (n: number) => number }>) =>
 *   Effect.gen(function*() {
 *     const a = yield* pool.run("fib", 30)
 *     const b = yield* pool.runWith("fib", [31], { timeout: "10 seconds" })
 *     return { a, b, threads: pool.size }
 *   })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ThreadPool<M> {
  /** Calls export `name` with `args` on a thread of its own; waits in line (FIFO) while all are busy. */
  readonly run: <K extends Name<M>>(
    name: K,
    ...args: Args<M, K>
  ) => Effect.Effect<Result<M, K>, ThreadTaskError | ThreadCrashError | PoolClosedError>
  /** `run` with per-call options (a timeout counted from the task's start). */
  readonly runWith: <K extends Name<M>>(
    name: K,
    args: Args<M, K>,
    options: RunOptions
  ) => Effect.Effect<Result<M, K>, ThreadTaskError | ThreadCrashError | PoolClosedError | TaskTimeoutError>
  readonly size: number
  readonly stats: Effect.Effect<Stats>
}

/**
 * Starts `size` threads on `module` and returns when all have loaded it (or
 * fails with `ThreadPoolStartError`). Closing the scope fails waiting calls
 * with `PoolClosedError`, terminates the threads of running ones and returns
 * when every thread has exited.
 *
 * @example
 * ```ts
 * import { applyInParallel } from "@fanout/pool"
 * import { ThreadPool } from "@fanout/threads"
 * import { Effect } from "effect"
 *
 * type Work = { fib: (n: number) => number }
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* ThreadPool.make<Work>({ module: new URL("./work.mjs", import.meta.url), size: 2 })
 *   return yield* applyInParallel([30, 31, 32], (n) => pool.run("fib", n), { concurrency: 2 })
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <M = Record<string, Callable>>(
  options: Options
) => Effect.Effect<ThreadPool<M>, ThreadPoolStartError, Scope.Scope> = internal.make

/**
 * The pool as a scoped layer for your own tag.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { ThreadPool } from "@fanout/threads"
 *
 * class Hasher extends Context.Tag("Hasher")<Hasher, ThreadPool.ThreadPool<{ hash: (s: string) => string }>>() {}
 * const HasherLive = ThreadPool.layer(Hasher, { module: "/srv/app/hash.mjs", size: 4 })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <I, M>(
  tag: Context.Tag<I, ThreadPool<M>>,
  options: Options
): Layer.Layer<I, ThreadPoolStartError> => Layer.scoped(tag, make<M>(options))
