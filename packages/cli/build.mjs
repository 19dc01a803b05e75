// Builds the CLI as users run it, into dist/ (or --outdir DIR):
//   cli.cjs           one tree-shaken, minified bundle of the CLI and its dependencies
//                     (module loading, not our code, dominates start-up)
//   fanout.cjs        the entry point, loader.cjs: runs cli.cjs through a V8 code cache
//                     that the first run on each machine writes to the user's cache directory
// All CommonJS: only a script (vm.Script) can use a code cache on Node 20, and an
// ES-module entry would start Node's ES module loader for nothing.
import * as esbuild from "esbuild"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
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
const { version } = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8"))
const loader = fs.readFileSync(path.join(here, "loader.cjs"), "utf8")
const bundleHash = createHash("sha256").update(fs.readFileSync(path.join(outdir, "cli.cjs"))).digest("hex").slice(0, 16)
fs.writeFileSync(
  entry,
  loader
    .replace(`const version = "0.0.0-source"`, `const version = ${JSON.stringify(version)}`)
    .replace(`const bundleHash = ""`, `const bundleHash = ${JSON.stringify(bundleHash)}`)
)
fs.chmodSync(entry, 0o755)
// what builds before this layout left behind (a cache here was tied to the build machine's Node)
for (const stale of ["fanout.js", "fanout.cjs.cache", "cli.cjs.cache"]) {
  fs.rmSync(path.join(outdir, stale), { force: true })
}

// One real one-job run: the bundle must start (it also warms this machine's cache).
const smoke = spawnSync(process.execPath, [entry, "-j", "1", "true", ":::", "1"], { encoding: "utf8" })
if (smoke.status !== 0) {
  process.stderr.write(`build: the built CLI failed its smoke run (status ${smoke.status}): ${smoke.stderr}\n`)
  process.exit(1)
}
