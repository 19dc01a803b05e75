/**
 * The pool's per-task costs, variant by variant, each in a fresh process from an
 * esbuild bundle (as the library cases are): CPU time per task, which a busy
 * machine inflates less than wall time, and bytes allocated per task.
 *
 *   flock /tmp/bench.lock npx tsx bench/pool/costs.ts [variant…] [--n N] [--pool-src DIR]
 *
 * `--pool-src` measures another version of the pool's sources, e.g. an older commit's:
 * `git archive <commit> packages/pool/src | tar -x -C /tmp/old` then `--pool-src /tmp/old/packages/pool/src`.
 */
import * as esbuild from "esbuild"
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { scratchDir } from "../harness.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const at = args.indexOf("--n")
const n = at >= 0 ? args.splice(at, 2)[1]! : "100000"
const from = args.indexOf("--pool-src")
const poolSrc = from >= 0 ? path.resolve(args.splice(from, 2)[1]!) : undefined
const chosen = args.length > 0
  ? args
  : ["forEach", "forEach-64", "submit", "submit-8-callers", "applyInParallel", "p-map", "p-limit", "semaphore"]

const main = async () => {
  const bundle = path.join(scratchDir(), "pool-variants.mjs")
  await esbuild.build({
    entryPoints: [path.join(here, "variants.ts")],
    outfile: bundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    logLevel: "silent",
    ...(poolSrc === undefined ? {} : { alias: { "@fanout/pool": path.join(poolSrc, "index.ts") } })
  })
  process.stdout.write(
    "| variant | tasks | CPU µs/task, median (best of 7) | bytes allocated/task |\n| --- | --- | --- | --- |\n"
  )
  for (const variant of chosen) {
    const line = execFileSync("node", [bundle, variant, n], { encoding: "utf8" }).trim().split("\n").pop()!
    const r = JSON.parse(line) as { cpuMedianUs: number; cpuBestUs: number; bytesPerTask: number }
    const row = [variant, n, `${r.cpuMedianUs.toFixed(2)} (${r.cpuBestUs.toFixed(2)})`, Math.round(r.bytesPerTask)]
    process.stdout.write(`| ${row.join(" | ")} |\n`)
  }
}

void main()
