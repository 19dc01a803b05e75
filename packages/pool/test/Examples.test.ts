import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../../", import.meta.url))

/** Runs `examples/<name>.ts` as a user would (`npx tsx examples/<name>.ts`) and returns what it printed. */
const run = async (name: string) => {
  const { stdout } = await promisify(execFile)("node", ["--import", "tsx", `examples/${name}.ts`], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000
  })
  return stdout
}

describe("examples", () => {
  it("apply-range: results in input order although later items finish first", async () => {
    const out = await run("apply-range")
    expect(out).toContain("results, in input order: 0 1 4 9 16 25 36 49 64 81")
    expect(out.indexOf("finished 3")).toBeLessThan(out.indexOf("finished 0"))
  })

  it("shell-commands: every command runs, at most 3 at a time", async () => {
    const out = await run("shell-commands")
    for (const word of ["one", "two", "three", "four", "five", "six"]) {
      expect(out).toMatch(new RegExp(`-> {2}${word}$`, "m"))
    }
    expect(out).toContain("6 commands, 6 done, at most 3 at a time (limit 3)")
  })

  it("cpu-bound: a CPU-bound function on a ThreadPool, TypeScript module under tsx, same results", async () => {
    const out = await run("cpu-bound")
    expect(out).toMatch(/^\d+ x fib\(32\) on \d+ threads: results identical$/m)
    expect(out).toMatch(/^speed-up: \d+\.\d\dx with \d+ threads$/m)
  })

  it("fail-fast: the failure interrupts the running tasks and leaves no process behind", async () => {
    const out = await run("fail-fast")
    expect(out).toContain("result: failed (Error: task 3 failed)")
    expect(out.match(/interrupted, its sleep process is gone/g)).toHaveLength(3)
    expect(out).not.toContain("task 4: started")
    expect(out).toContain("sleep processes still running: 0")
  })
})
