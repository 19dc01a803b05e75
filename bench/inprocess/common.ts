/**
 * What every in-process case shares: its arguments, the two workloads, and the one
 * JSON line it prints. A case is its own process (cold start, its own peak RSS), run
 * as an esbuild bundle so every tool pays the same module-loading cost.
 */
import * as Effect from "effect/Effect"

export interface Params {
  /** How many tasks. */
  readonly n: number
  readonly concurrency: number
  /** `noop`: a task that returns its index at once; `sleep`: one that waits 1 ms first. */
  readonly task: "noop" | "sleep"
}

export interface Sample {
  readonly n: number
  readonly ms: number
  /** Peak resident set size of the whole process, in KiB (`process.resourceUsage().maxRSS`). */
  readonly maxRssKiB: number
  /** RSS after imports and before the first task, in KiB: the floor the peak is measured against. */
  readonly baseRssKiB: number
}

const parse = (argv: ReadonlyArray<string>): Params => {
  const value = (name: string, fallback: string) => {
    const at = argv.indexOf(`--${name}`)
    return at >= 0 && at + 1 < argv.length ? argv[at + 1]! : fallback
  }
  const n = Number(value("n", "100000"))
  const concurrency = Number(value("concurrency", "8"))
  const task = value("task", "noop")
  if (!Number.isInteger(n) || n < 1) throw new Error(`--n must be a whole number >= 1, got ${value("n", "")}`)
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`--concurrency must be a whole number >= 1, got ${value("concurrency", "")}`)
  }
  if (task !== "noop" && task !== "sleep") throw new Error(`--task must be noop or sleep, got ${task}`)
  return { n, concurrency, task }
}

/** Counts finished tasks, so a case that silently skipped work is caught. */
export const done = { count: 0 }

/** The task as an Effect: succeeds with its index, after 1 ms for `sleep`. */
export const effectTask = (task: Params["task"]): (i: number) => Effect.Effect<number> =>
  task === "noop"
    ? (i) =>
      Effect.sync(() => {
        done.count++
        return i
      })
    : (i) =>
      Effect.sleep("1 millis").pipe(Effect.map(() => {
        done.count++
        return i
      }))

/** The same task as a Promise-returning function. */
export const promiseTask = (task: Params["task"]): (i: number) => Promise<number> =>
  task === "noop"
    ? (i) => {
      done.count++
      return Promise.resolve(i)
    }
    : (i) =>
      new Promise((resolve) =>
        setTimeout(() => {
          done.count++
          resolve(i)
        }, 1)
      )

/** The indices 0..n-1, built before the clock starts. */
export const indices = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

/**
 * Runs one case: parses argv, times `run`, checks every task ran, prints the sample.
 * Exits non-zero (with the reason on stderr) when the case failed or skipped work.
 */
export const main = (run: (params: Params) => Promise<unknown>): void => {
  const params = parse(process.argv.slice(2))
  const baseRssKiB = Math.round(process.memoryUsage().rss / 1024)
  const start = performance.now()
  run(params).then(
    () => {
      const ms = performance.now() - start
      if (done.count !== params.n) {
        process.stderr.write(`ran ${done.count} tasks, expected ${params.n}\n`)
        process.exit(1)
      }
      const sample: Sample = { n: params.n, ms, maxRssKiB: process.resourceUsage().maxRSS, baseRssKiB }
      process.stdout.write(JSON.stringify(sample) + "\n")
    },
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
      process.exit(1)
    }
  )
}
