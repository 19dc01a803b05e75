/**
 * One variant of the pool's per-task cost, in a process of its own (bundled by
 * bench/pool/costs.ts): runs it once to warm up, then 7 times, and prints one
 * JSON line: CPU µs per task (median and best) and bytes allocated per task.
 */
import { applyInParallel, WorkerPool } from "@fanout/pool"
import * as Effect from "effect/Effect"
import v8 from "node:v8"
import pLimit from "p-limit"
import pMap from "p-map"

const variant = process.argv[2] ?? ""
const n = Number(process.argv[3] ?? 100_000)
const items = Array.from({ length: n }, (_, i) => i)
let done = 0
const f = (i: number) =>
  Effect.sync(() => {
    done++
    return i
  })
/** A task that lets the other fibers run once before it ends, so its permit is held across fibers. */
const fy = (i: number) => Effect.zipRight(Effect.yieldNow(), f(i))
const pf = async (i: number) => {
  done++
  return i
}
const submitting = (task: (i: number) => Effect.Effect<number>, callers: number) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const pool = yield* WorkerPool.make({ concurrency: 8 })
    return yield* Effect.forEach(items, (i) => pool.submit(task(i)), { concurrency: callers })
  })))
const semaphore = (task: (i: number) => Effect.Effect<number>) => {
  const permits = Effect.unsafeMakeSemaphore(8)
  return Effect.runPromise(Effect.forEach(items, (i) => permits.withPermits(1)(task(i)), { concurrency: 64 }))
}

/** Each variant: 10^5 (or n) tasks at concurrency 8; "-yield" tasks yield once, so callers park. */
const variants: Record<string, () => Promise<unknown>> = {
  "forEach": () => Effect.runPromise(Effect.forEach(items, f, { concurrency: 8 })),
  "forEach-64": () => Effect.runPromise(Effect.forEach(items, f, { concurrency: 64 })),
  "forEach-yield": () => Effect.runPromise(Effect.forEach(items, fy, { concurrency: 8 })),
  "submit": () => submitting(f, 64),
  "submit-8-callers": () => submitting(f, 8),
  "submit-yield": () => submitting(fy, 64),
  "semaphore": () => semaphore(f),
  "semaphore-yield": () => semaphore(fy),
  "applyInParallel": () => Effect.runPromise(applyInParallel(items, f, { concurrency: 8 })),
  "p-map": () => pMap(items, pf, { concurrency: 8 }),
  "p-limit": () => {
    const limit = pLimit(8)
    return Promise.all(items.map((i) => limit(() => pf(i))))
  }
}

const young = (spaces: ReadonlyArray<v8.HeapSpaceStatistics>) =>
  spaces.find((space) => space.spaceName === "new_space")?.spaceUsedSize ?? 0

const main = async () => {
  const run = variants[variant]
  if (run === undefined) throw new Error(`unknown variant ${variant}: one of ${Object.keys(variants).join(", ")}`)
  await run()
  done = 0
  const profiler = new v8.GCProfiler()
  profiler.start()
  const cpu: Array<number> = []
  for (let rep = 0; rep < 7; rep++) {
    const start = process.cpuUsage()
    await run()
    const used = process.cpuUsage(start)
    cpu.push((used.user + used.system) / n)
  }
  const gcs = profiler.stop()?.statistics ?? []
  if (done !== 7 * n) throw new Error(`${variant}: ${done} tasks ran, not ${7 * n}`)
  // the young generation's growth between one collection's end and the next one's start, scaled to all the runs
  let grown = 0
  for (let i = 1; i < gcs.length; i++) {
    grown += young(gcs[i]!.beforeGC.heapSpaceStatistics) - young(gcs[i - 1]!.afterGC.heapSpaceStatistics)
  }
  const bytes = gcs.length > 1 ? grown * gcs.length / (gcs.length - 1) / (7 * n) : 0
  cpu.sort((a, b) => a - b)
  process.stdout.write(
    JSON.stringify({ variant, n, cpuMedianUs: cpu[3], cpuBestUs: cpu[0], bytesPerTask: bytes }) + "\n"
  )
}

void main()
