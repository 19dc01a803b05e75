/**
 * The entry point runs the bundle through a V8 code cache beside it: a missing or
 * rejected cache is written again by a plain run, a bad one never breaks a run, and
 * a run under Node flags leaves it alone.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { bundle } from "./fixtures/cli/fanout.js"

/** A copy of the built entry point and bundle, without a cache. */
const install = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fanout-loader-"))
  for (const name of ["fanout.cjs", "cli.cjs"]) {
    fs.copyFileSync(path.join(path.dirname(bundle()), name), path.join(dir, name))
  }
  return { entry: path.join(dir, "fanout.cjs"), cache: path.join(dir, "cli.cjs.cache") }
}

const run = (entry: string, flags: ReadonlyArray<string> = []) =>
  execFileSync(process.execPath, [...flags, entry, "echo", ":::", "x"], { encoding: "utf8", timeout: 30_000 })

describe("the fanout entry point's code cache", () => {
  it("the build ships a warm cache", () => {
    expect(fs.statSync(path.join(path.dirname(bundle()), "cli.cjs.cache")).size).toBeGreaterThan(100_000)
  })

  it("a run writes a missing cache, and replaces a bad one without failing", () => {
    const { cache, entry } = install()
    expect(run(entry)).toBe("x\n")
    const written = fs.readFileSync(cache)
    expect(written.length).toBeGreaterThan(100_000)
    fs.writeFileSync(cache, "not a code cache")
    expect(run(entry)).toBe("x\n")
    expect(fs.readFileSync(cache).length).toBeGreaterThan(100_000)
    expect(fs.readdirSync(path.dirname(cache)).sort()).toEqual(["cli.cjs", "cli.cjs.cache", "fanout.cjs"])
  })

  it("a run under Node flags neither needs nor replaces the cache", () => {
    const { cache, entry } = install()
    fs.writeFileSync(cache, "not a code cache")
    expect(run(entry, ["--no-warnings"])).toBe("x\n")
    expect(fs.readFileSync(cache, "utf8")).toBe("not a code cache")
  })
})
