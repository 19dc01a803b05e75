/**
 * The thread-pool cases: fanout's ThreadPool against piscina (atomics "disabled",
 * as fanout's plain port messages, and its default "sync"), tinypool and a bare
 * worker_threads ping-pong, each its own process. Bundled into bench/.work, not a
 * temp folder: piscina and tinypool start their own worker files, so they stay
 * external and resolve from the repository's node_modules.
 */
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Case, Row, Scale, Target, Tool } from "../model.js"
import { fasterBy, ratioAtMost } from "../model.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const out = path.resolve(here, "..", ".work", "threads")
const scripts = ["fanout", "piscina", "tinypool", "raw", "serial"] as const
type Script = typeof scripts[number]

/** Bundles the scripts; one that does not build gets a skip reason. */
export const bundle = async (): Promise<Map<Script, string | { skip: string }>> => {
  fs.mkdirSync(out, { recursive: true })
  const built = new Map<Script, string | { skip: string }>()
  for (const script of scripts) {
    const file = path.join(out, `${script}.mjs`)
    try {
      await esbuild.build({
        entryPoints: [path.join(here, `${script}.ts`)],
        outfile: file,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "esm",
        external: ["piscina", "tinypool"],
        logLevel: "silent"
      })
      built.set(script, file)
    } catch (error) {
      built.set(script, { skip: `does not build: ${String(error).split("\n")[0]}` })
    }
  }
  return built
}

const tool = (
  built: Map<Script, string | { skip: string }>,
  script: Script,
  name: string,
  args: ReadonlyArray<string>,
  tasks: number
): Tool => {
  const file = built.get(script)!
  return {
    name,
    argv: [process.execPath, typeof file === "string" ? file : "", ...args],
    display: [process.execPath, `bench/threads/${script}.ts (bundled)`, ...args],
    reportsItself: true,
    tasks,
    skip: typeof file === "string" ? undefined : file.skip
  }
}

/** The slowest of 20 tries must be under `limitMs` (the probe reports its worst try as the sample). */
const worstUnder = (text: string, subject: string, limitMs: number): Target => ({
  text,
  subject,
  metric: "ms",
  judge: (rows: ReadonlyMap<string, Row>) => {
    const worst = rows.get(subject)?.ms?.max
    if (worst === undefined) return { target: text, met: undefined, detail: `not judged: no number for ${subject}` }
    return { target: text, met: worst < limitMs, detail: `slowest try ${worst.toFixed(1)} ms (limit ${limitMs} ms)` }
  }
})

export const cases = (scale: Scale, built: Map<Script, string | { skip: string }>): Array<Case> => {
  // The issue measures at 2 threads (this machine's cores); a bigger machine runs the same case.
  const size = Math.min(2, os.availableParallelism())
  const sizeArg = ["--size", String(size)]
  const n = scale.quick ? 5_000 : 100_000
  const noop = ["--task", "noop", "--n", String(n), ...sizeArg]
  const cpuN = 8 * size
  const fib = scale.quick ? 27 : 32
  const cpu = ["--task", "cpu", "--n", String(cpuN), "--fib", String(fib), ...sizeArg]
  const probe = (task: string) => ["--task", task, "--n", "1", ...sizeArg]
  return [
    {
      id: "threads-noop",
      title: `Threads: ${n.toLocaleString("en")} no-op tasks on ${size} threads, ${4 * size} in flight`,
      workload: "each task returns a + b; pools started and warmed before the clock starts",
      reference: "piscina (atomics: disabled)",
      perTask: true,
      tools: [
        tool(built, "fanout", "ThreadPool", noop, n),
        tool(built, "piscina", "piscina (atomics: disabled)", [...noop, "--atomics", "disabled"], n),
        tool(built, "piscina", "piscina (atomics: sync)", [...noop, "--atomics", "sync"], n),
        tool(built, "tinypool", "tinypool", noop, n),
        tool(built, "raw", "worker_threads ping-pong", noop, n)
      ],
      targets: [
        ratioAtMost(
          "ThreadPool per-task overhead no more than piscina's (atomics: disabled)",
          "ThreadPool",
          "piscina (atomics: disabled)",
          1
        )
      ],
      timeoutMs: 300_000
    },
    {
      id: "threads-cpu",
      title: `Threads: ${cpuN} CPU-bound tasks (fib(${fib})${scale.quick ? "" : ", ~50 ms each"}) on ${size} threads`,
      workload: `${cpuN} × fib(${fib}); "main thread, serial" runs them one after another without threads`,
      reference: "main thread, serial",
      perTask: false,
      tools: [
        tool(built, "fanout", "ThreadPool", cpu, cpuN),
        tool(built, "piscina", "piscina (atomics: disabled)", [...cpu, "--atomics", "disabled"], cpuN),
        tool(built, "tinypool", "tinypool", cpu, cpuN),
        tool(built, "serial", "main thread, serial", cpu, cpuN)
      ],
      targets: [
        fasterBy(
          `ThreadPool speed-up ≥ ${(0.85 * size).toFixed(2)}× (0.85 × ${size} threads)`,
          "ThreadPool",
          "main thread, serial",
          0.85 * size
        ),
        ratioAtMost("ThreadPool within 10% of piscina", "ThreadPool", "piscina (atomics: disabled)", 1.1)
      ],
      timeoutMs: 300_000
    },
    {
      id: "threads-stop",
      title: `Threads: interrupting a task stuck in a loop, and closing a pool of ${size} busy threads`,
      workload: "each sample is the slowest of 20 tries, with the threads' exit observed",
      reference: "interrupt a stuck task",
      perTask: false,
      tools: [
        tool(built, "fanout", "interrupt a stuck task", probe("interrupt"), 20),
        tool(built, "fanout", "close a busy pool", probe("close"), 20)
      ],
      targets: [
        worstUnder("interrupting a stuck task returns within 100 ms", "interrupt a stuck task", 100),
        worstUnder("closing a busy pool returns within 1 s", "close a busy pool", 1000)
      ],
      timeoutMs: 300_000
    }
  ]
}
