/**
 * Stopping many running jobs at once: every process group gets the termination
 * sequence, nothing of any job is left, and fanout exits with 128 + the signal.
 * (How long it takes is measured in bench/, not asserted here.)
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { spawnFanout, tempDir } from "./fixtures/cli/fanout.js"
import { survivors, waitFor } from "./fixtures/cli/processes.js"

const jobs = 300
const dir = tempDir("fanout-teardown-")

describe("stopping many running jobs", () => {
  it(`SIGINT with ${jobs} running jobs, each with a background child: all gone, exit 130`, async () => {
    const mark = `${100 + Math.floor(Math.random() * 900)}.${process.pid}`
    const child = spawnFanout([
      `-j${jobs}`,
      `sleep ${mark} & sleep ${mark}; wait`,
      ":::",
      ...Array.from({ length: jobs }, (_, i) => String(i))
    ])
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    await waitFor(() => survivors(`sleep ${mark}`).length >= 2 * jobs, `${jobs} jobs to start`, 60_000)
    child.kill("SIGINT")
    expect(await exited).toBe(130)
    expect(survivors(`sleep ${mark}`)).toEqual([])
  })

  it("--halt now with many running jobs stops them all and exits with the failing job's status", async () => {
    const mark = `${100 + Math.floor(Math.random() * 900)}.${process.pid}1`
    const child = spawnFanout([
      "-j100",
      "--halt",
      "now,fail=1",
      `if [ {} = x ]; then while [ ! -e {}.go ]; do sleep 0.05; done; exit 3; fi; sleep ${mark}`,
      ":::",
      ...Array.from({ length: 99 }, (_, i) => String(i)),
      "x"
    ], { cwd: dir })
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    await waitFor(() => survivors(`sleep ${mark}`).length >= 99, "the jobs to start", 60_000)
    fs.writeFileSync(path.join(dir, "x.go"), "")
    expect(await exited).toBe(3)
    expect(survivors(`sleep ${mark}`)).toEqual([])
  })
})
