/**
 * The library cases: each tool is a small script in this folder, bundled with esbuild
 * (every tool pays the same, minimal, module-loading cost) and run cold, once per sample.
 */
import * as esbuild from "esbuild"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { scratchDir } from "../harness.js"
import type { Case, Scale, Tool } from "../model.js"
import { fasterBy, ratioAtMost, rssUnder } from "../model.js"

const here = path.dirname(fileURLToPath(import.meta.url))

/** The scripts, by the name their rows carry. fanout's own first. */
export const scripts = {
  "applyInParallel": "applyInParallel.ts",
  "WorkerPool.submit": "workerPoolSubmit.ts",
  "Effect.forEach": "effectForEach.ts",
  "Stream.mapEffect": "streamMapEffect.ts",
  "p-limit": "pLimit.ts",
  "p-queue": "pQueue.ts",
  "p-map": "pMap.ts",
  "Promise worker loop": "promiseLoop.ts",
  "applyInParallel.stream": "applyInParallelStream.ts"
} as const

export type ScriptName = keyof typeof scripts

/** Bundles every script; a script that does not build (its package is not there yet) gets a skip reason. */
export const bundle = async (): Promise<Map<ScriptName, { file?: string; skip?: string }>> => {
  const out = path.join(scratchDir(), "inprocess")
  const built = new Map<ScriptName, { file?: string; skip?: string }>()
  for (const [name, script] of Object.entries(scripts) as Array<[ScriptName, string]>) {
    const file = path.join(out, script.replace(/\.ts$/, ".mjs"))
    try {
      await esbuild.build({
        entryPoints: [path.join(here, script)],
        outfile: file,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "esm",
        logLevel: "silent"
      })
      built.set(name, { file })
    } catch (error) {
      const first = (error as esbuild.BuildFailure).errors?.[0]
      const where = first?.location === null || first?.location === undefined
        ? ""
        : ` (${first.location.file}:${first.location.line})`
      const text = `${first?.text ?? String(error)}${where}`
      // a package that is not there yet is expected while fanout is being written; broken code is not
      built.set(name, { skip: /Could not resolve/.test(text) ? `not built yet: ${text}` : `does not build: ${text}` })
    }
  }
  return built
}

const tool = (
  built: Map<ScriptName, { file?: string; skip?: string }>,
  name: ScriptName,
  args: { n: number; concurrency: number; task: "noop" | "sleep" },
  label: string = name
): Tool => {
  const entry = built.get(name)!
  return {
    name: label,
    argv: [
      process.execPath,
      entry.file ?? path.join(here, scripts[name]),
      "--n",
      String(args.n),
      "--concurrency",
      String(args.concurrency),
      "--task",
      args.task
    ],
    display: [
      process.execPath,
      path.relative(path.resolve(here, "..", ".."), path.join(here, scripts[name])) + " (bundled)",
      ...["--n", String(args.n), "--concurrency", String(args.concurrency), "--task", args.task]
    ],
    reportsItself: true,
    tasks: args.n,
    skip: entry.skip
  }
}

const throughputTools: ReadonlyArray<ScriptName> = [
  "applyInParallel",
  "WorkerPool.submit",
  "Effect.forEach",
  "Stream.mapEffect",
  "p-limit",
  "p-queue",
  "p-map",
  "Promise worker loop"
]

/** The library's targets against Effect.forEach, for both workloads. */
const effectTargets = [
  ratioAtMost("applyInParallel no slower per task than Effect.forEach", "applyInParallel", "Effect.forEach", 1),
  ratioAtMost("WorkerPool.submit within 1.5× of Effect.forEach", "WorkerPool.submit", "Effect.forEach", 1.5)
]

/** Per-task overhead against the Promise pools: the issue sets these on the no-op workload. */
const overheadTargets = [
  fasterBy("applyInParallel well ahead of p-limit (≥ 1.25× faster)", "applyInParallel", "p-limit", 1.25),
  fasterBy("applyInParallel well ahead of p-queue (≥ 1.25× faster)", "applyInParallel", "p-queue", 1.25),
  fasterBy("WorkerPool.submit well ahead of p-limit (≥ 1.25× faster)", "WorkerPool.submit", "p-limit", 1.25),
  fasterBy("WorkerPool.submit well ahead of p-queue (≥ 1.25× faster)", "WorkerPool.submit", "p-queue", 1.25)
]

export const cases = (scale: Scale, built: Map<ScriptName, { file?: string; skip?: string }>): Array<Case> => {
  const noop = { n: scale.quick ? 5_000 : 100_000, concurrency: 8, task: "noop" as const }
  const sleep = { n: scale.quick ? 300 : 2_000, concurrency: 100, task: "sleep" as const }
  const small = scale.quick ? 1_000 : 100_000
  const large = scale.quick ? 10_000 : 1_000_000
  const flat = (n: number) => ({ n, concurrency: 8, task: "noop" as const })
  const tenfold = large.toLocaleString("en")
  return [
    {
      id: "lib-noop",
      title: `Library: ${noop.n.toLocaleString("en")} no-op tasks at concurrency ${noop.concurrency}`,
      workload: "each task returns its index at once; results collected in input order",
      reference: "Effect.forEach",
      perTask: true,
      tools: throughputTools.map((name) => tool(built, name, noop)),
      targets: [...effectTargets, ...overheadTargets],
      timeoutMs: 300_000
    },
    {
      id: "lib-sleep",
      title: `Library: ${sleep.n.toLocaleString("en")} tasks that wait 1 ms, at concurrency ${sleep.concurrency}`,
      workload: `each task waits 1 ms (a timer) then returns its index; ideal ${
        Math.ceil(sleep.n / sleep.concurrency)
      } ms`,
      reference: "Effect.forEach",
      perTask: true,
      tools: throughputTools.map((name) => tool(built, name, sleep)),
      targets: effectTargets,
      timeoutMs: 300_000
    },
    {
      id: "lib-memory",
      title: `Library memory: ${small.toLocaleString("en")}, ${tenfold} and ${
        (3 * large).toLocaleString("en")
      } items, concurrency 8`,
      workload:
        "no-op tasks; applyInParallel.stream pulls from a lazy generator and drains, the others get an array and collect results",
      reference: `applyInParallel.stream × ${small.toLocaleString("en")}`,
      perTask: true,
      tools: [
        tool(built, "applyInParallel.stream", flat(small), `applyInParallel.stream × ${small.toLocaleString("en")}`),
        tool(built, "applyInParallel.stream", flat(large), `applyInParallel.stream × ${tenfold}`),
        // three times more again: a plateau here says the growth from 10^5 to 10^6 is the heap settling, not a leak
        tool(
          built,
          "applyInParallel.stream",
          flat(3 * large),
          `applyInParallel.stream × ${(3 * large).toLocaleString("en")}`
        ),
        tool(built, "applyInParallel", flat(large), `applyInParallel × ${tenfold}`),
        tool(built, "Effect.forEach", flat(large), `Effect.forEach × ${tenfold}`),
        tool(built, "p-map", flat(large), `p-map × ${tenfold}`),
        tool(built, "p-limit", flat(large), `p-limit × ${tenfold}`),
        tool(built, "p-queue", flat(large), `p-queue × ${tenfold}`)
      ],
      targets: [
        rssUnder(
          `${tenfold} items streamed under 150 MiB peak RSS`,
          `applyInParallel.stream × ${tenfold}`,
          150
        ),
        ratioAtMost(
          `${tenfold} items streamed within 1.2× the peak RSS of ${small.toLocaleString("en")}`,
          `applyInParallel.stream × ${tenfold}`,
          `applyInParallel.stream × ${small.toLocaleString("en")}`,
          1.2,
          "rssMiB"
        )
      ],
      timeoutMs: 300_000
    }
  ]
}
