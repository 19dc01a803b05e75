/**
 * What every threads case shares: its arguments, the workloads and the sample it
 * prints. Each pool is started and warmed (one task per thread) before the clock
 * starts, so the numbers are per-task costs, not thread start-up.
 */
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The thread module, beside the bundles' sources (bundles run from a scratch folder). */
export const workFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "threads", "work.mjs")

export interface Params {
  readonly n: number
  readonly size: number
  /** `noop`: `a + b`; `cpu`: fib(`fibN`), about 50 ms here; `interrupt`, `close`: latency probes (fanout only). */
  readonly task: "noop" | "cpu" | "interrupt" | "close"
  readonly fibN: number
  readonly atomics: "sync" | "disabled"
}

const parse = (argv: ReadonlyArray<string>): Params => {
  const value = (name: string, fallback: string) => {
    const at = argv.indexOf(`--${name}`)
    return at >= 0 && at + 1 < argv.length ? argv[at + 1]! : fallback
  }
  const task = value("task", "noop")
  if (!["noop", "cpu", "interrupt", "close"].includes(task)) throw new Error(`--task: unknown ${task}`)
  const atomics = value("atomics", "disabled")
  if (atomics !== "sync" && atomics !== "disabled") throw new Error(`--atomics: sync or disabled, got ${atomics}`)
  return {
    n: Number(value("n", "100000")),
    size: Number(value("size", String(Math.min(2, os.availableParallelism())))),
    task: task as Params["task"],
    fibN: Number(value("fib", "32")),
    atomics
  }
}

/** One task's input, the same for every pool. */
export const taskInput = (params: Params, i: number) => params.task === "cpu" ? { fib: params.fibN } : { a: i, b: 1 }

export interface Runner {
  /** Runs `n` tasks, `inFlight` at once; resolves with how many completed. */
  readonly run: (n: number, inFlight: number) => Promise<number>
  readonly close: () => Promise<unknown>
  /** A probe's own figure for the sample, instead of the time `run` took. */
  readonly measured?: () => number | undefined
}

/**
 * Starts the pool, warms it, times `n` tasks with 4 × size in flight (the
 * issue's setting; CPU tasks with size in flight), prints `{ n, ms, maxRssKiB }`.
 */
export const main = (start: (params: Params) => Promise<Runner>): void => {
  const params = parse(process.argv.slice(2))
  const go = async () => {
    const runner = await start(params)
    await runner.run(params.size, params.size)
    const inFlight = params.task === "cpu" ? params.size : 4 * params.size
    const began = performance.now()
    const completed = await runner.run(params.n, inFlight)
    const ms = runner.measured?.() ?? performance.now() - began
    await runner.close()
    if (completed !== params.n) throw new Error(`ran ${completed} tasks, expected ${params.n}`)
    process.stdout.write(
      JSON.stringify({ n: params.n, ms, maxRssKiB: process.resourceUsage().maxRSS, baseRssKiB: 0 }) + "\n"
    )
  }
  go().then(() => process.exit(0), (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    process.exit(1)
  })
}

/** Keeps `inFlight` promises going until `n` have completed. */
export const keepInFlight = async (n: number, inFlight: number, call: (i: number) => Promise<unknown>) => {
  let next = 0
  let completed = 0
  const lane = async () => {
    while (next < n) {
      await call(next++)
      completed++
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane))
  return completed
}
