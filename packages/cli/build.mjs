// Builds the CLI as users run it, into dist/ (or --outdir DIR):
//   cli.cjs           one tree-shaken, minified bundle of the CLI and its dependencies
//                     (module loading, not our code, dominates start-up)
//   fanout.cjs        the entry point, loader.cjs: runs cli.cjs through a V8 code cache
//   cli.cjs.cache     that cache, warmed here by one real run
// All CommonJS: only a script (vm.Script) can use a code cache on Node 20, and an
// ES-module entry would start Node's ES module loader for nothing.
import * as esbuild from "esbuild"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const at = process.argv.indexOf("--outdir")
const outdir = at >= 0 && process.argv[at + 1] !== undefined
  ? path.resolve(process.argv[at + 1])
  : path.join(here, "dist")

fs.mkdirSync(outdir, { recursive: true })
await esbuild.build({
  entryPoints: [path.join(here, "src/bin.ts")],
  outfile: path.join(outdir, "cli.cjs"),
  bundle: true,
  minify: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  treeShaking: true,
  legalComments: "none",
  logLevel: "warning"
})
const entry = path.join(outdir, "fanout.cjs")
fs.copyFileSync(path.join(here, "loader.cjs"), entry)
fs.chmodSync(entry, 0o755)
fs.rmSync(path.join(outdir, "cli.cjs.cache"), { force: true })
// what builds before this layout left behind
for (const stale of ["fanout.js", "fanout.cjs.cache"]) fs.rmSync(path.join(outdir, stale), { force: true })

// Warm the cache with a real one-job run, so even the first run starts fast.
const warm = spawnSync(process.execPath, [entry, "-j", "1", "true", ":::", "1"], { encoding: "utf8" })
if (warm.status !== 0) {
  process.stderr.write(`build: the built CLI failed its warm-up run (status ${warm.status}): ${warm.stderr}\n`)
  process.exit(1)
}
