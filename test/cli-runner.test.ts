/**
 * The job runner seen from outside: kill -9 of fanout leaves no job running in
 * any output mode, and the joblog keeps every job that finished before; kill -9
 * of the helper fails only its running jobs, and the batch goes on.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { spawnFanout, tempDir } from "./fixtures/cli/fanout.js"
import { survivors, waitFor } from "./fixtures/cli/processes.js"

const dir = tempDir("fanout-runner-")

const loggedSeqs = (log: string): Array<number> =>
  fs.existsSync(log)
    ? fs.readFileSync(log, "utf8").split("\n").slice(1).filter(Boolean).map((row) => Number(row.split("\t")[0]))
    : []

const helperOf = (pid: number): number | undefined => {
  try {
    return Number(execFileSync("pgrep", ["-P", String(pid), "-f", "^fanout-runner"], { encoding: "utf8" }).trim())
  } catch {
    return undefined
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("kill -9 of fanout mid-batch", () => {
  for (const mode of ["--group", "--line-buffer", "--ungroup", "--keep-order"]) {
    it(`${mode}: no job process alive 1 s later; the joblog holds the jobs that finished`, async () => {
      const mark = `${100 + Math.floor(Math.random() * 900)}.${process.pid}${mode.length}`
      const log = path.join(dir, `log${mode}`)
      const child = spawnFanout([
        "-j4",
        "--joblog",
        log,
        mode,
        `if [ {} -le 2 ]; then echo done {}; exit 0; fi; trap '' TERM; echo start {}; sleep ${mark} & sleep ${mark}; wait`,
        ":::",
        ..."123456"
      ])
      child.stdout.resume()
      await waitFor(() => survivors(`^sleep ${mark}`).length >= 8, "four jobs to be running", 30_000)
      await waitFor(() => helperOf(child.pid!) !== undefined, "the helper")
      child.kill("SIGKILL")
      await sleep(1_000)
      expect(survivors(`^sleep ${mark}`)).toEqual([])
      expect(loggedSeqs(log).sort()).toEqual([1, 2])
    })
  }
})

describe("kill -9 of the helper mid-batch", () => {
  it("fails its running jobs (exit 255 in the joblog), stops their groups, and the batch goes on", async () => {
    const mark = `${100 + Math.floor(Math.random() * 900)}.${process.pid}7`
    const log = path.join(dir, "log-helper")
    const child = spawnFanout([
      "-j2",
      "--joblog",
      log,
      // jobs 1 and 2 give the helper time to be ready (jobs before that are forked in-process)
      `case {} in 1|2) sleep 0.5 ;; 3|4) sleep ${mark} ;; esac; echo {}`,
      ":::",
      ..."123456"
    ])
    const stdout: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    await waitFor(() => survivors(`^sleep ${mark}`).length >= 2, "two jobs to be running", 30_000)
    await waitFor(() => helperOf(child.pid!) !== undefined, "the helper")
    process.kill(helperOf(child.pid!)!, "SIGKILL")
    expect(await exited).toBe(2)
    expect(survivors(`^sleep ${mark}`)).toEqual([])
    expect(Buffer.concat(stdout).toString().split("\n").sort()).toEqual(["", "1", "2", "5", "6"])
    const rows = fs.readFileSync(log, "utf8").split("\n").slice(1).filter(Boolean).map((row) => row.split("\t"))
    expect(rows.map((row) => [Number(row[0]), Number(row[6])]).sort()).toEqual([[1, 0], [2, 0], [3, 255], [4, 255], [
      5,
      0
    ], [6, 0]])
  })
})
