/**
 * The entry point runs the bundle through a V8 code cache that belongs to the machine
 * running it: the build ships none, the first plain run writes one into the user's cache
 * directory ($XDG_CACHE_HOME/fanout), a bad one is replaced without failing a run, a run
 * under Node flags leaves it alone, and an unwritable cache directory or install
 * directory never breaks a run.
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { bundle } from "./fixtures/cli/fanout.js"

/** A copy of the built entry point and bundle, and an empty cache home for it. */
const install = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fanout-loader-"))
  for (const name of ["fanout.cjs", "cli.cjs"]) {
    fs.copyFileSync(path.join(path.dirname(bundle()), name), path.join(dir, name))
  }
  return { dir, entry: path.join(dir, "fanout.cjs"), cacheHome: fs.mkdtempSync(path.join(os.tmpdir(), "fanout-xdg-")) }
}

const run = (entry: string, cacheHome: string, flags: ReadonlyArray<string> = []) =>
  execFileSync(process.execPath, [...flags, entry, "echo", ":::", "x"], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, XDG_CACHE_HOME: cacheHome }
  })

const caches = (cacheHome: string) => {
  const dir = path.join(cacheHome, "fanout")
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : []
}

describe("the fanout entry point's code cache", () => {
  it("the build ships no cache: one from the build machine's Node would be rejected elsewhere", () => {
    expect(fs.readdirSync(path.dirname(bundle())).sort()).toEqual(["cli.cjs", "fanout.cjs"])
  })

  it("a run writes a missing cache into $XDG_CACHE_HOME/fanout, and replaces a bad one without failing", () => {
    const { cacheHome, dir, entry } = install()
    expect(run(entry, cacheHome)).toBe("x\n")
    const [cache, ...others] = caches(cacheHome)
    expect(others).toEqual([])
    expect(path.basename(cache!)).toContain(`-v8-${process.versions.v8}.cache`)
    expect(fs.statSync(cache!).size).toBeGreaterThan(100_000)
    fs.writeFileSync(cache!, "not a code cache")
    expect(run(entry, cacheHome)).toBe("x\n")
    expect(fs.statSync(cache!).size).toBeGreaterThan(100_000)
    expect(caches(cacheHome)).toEqual([cache])
    expect(fs.readdirSync(dir).sort()).toEqual(["cli.cjs", "fanout.cjs"])
  })

  it("a run under Node flags neither needs nor replaces the cache", () => {
    const { cacheHome, entry } = install()
    run(entry, cacheHome)
    const [cache] = caches(cacheHome)
    fs.writeFileSync(cache!, "not a code cache")
    expect(run(entry, cacheHome, ["--no-warnings"])).toBe("x\n")
    expect(fs.readFileSync(cache!, "utf8")).toBe("not a code cache")
  })

  it("a cache directory that cannot be made, and a read-only install, only mean running without a cache", () => {
    const { cacheHome, dir, entry } = install()
    const notADirectory = path.join(cacheHome, "file")
    fs.writeFileSync(notADirectory, "")
    fs.chmodSync(dir, 0o555)
    try {
      expect(run(entry, notADirectory)).toBe("x\n")
      expect(run(entry, notADirectory)).toBe("x\n")
    } finally {
      fs.chmodSync(dir, 0o755)
    }
    expect(fs.readdirSync(dir).sort()).toEqual(["cli.cjs", "fanout.cjs"])
  })
})

describe("the run path's start-up", () => {
  it("loads no Node module that only rare paths use (node:crypto and node:fs/promises cost 6–10 ms a start)", () => {
    const { cacheHome, entry } = install()
    const script = `process.argv = [process.execPath, ${JSON.stringify(entry)}, "true", ":::", "1"]
process.on("exit", () => process.stderr.write(JSON.stringify(process.moduleLoadList)))
require(${JSON.stringify(entry)})`
    const result = spawnSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, XDG_CACHE_HOME: cacheHome }
    })
    expect(result.status).toBe(0)
    const loaded = JSON.parse(result.stderr) as Array<string>
    expect(loaded).toContain("NativeModule child_process")
    expect(loaded.filter((name) => /^NativeModule (crypto|fs\/promises)$/.test(name))).toEqual([])
  })
})
