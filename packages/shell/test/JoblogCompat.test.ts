import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Batch, type Job, Joblog } from "../src/index.js"

// Compared with GNU parallel run on the same batch (installed as `parallel`).
const parallel = (args: ReadonlyArray<string>, cwd: string) =>
  spawnSync("parallel", args, {
    cwd,
    env: { ...process.env, SHELL: "/bin/bash", PARALLEL_SHELL: "/bin/bash", HOME: cwd },
    stdio: ["ignore", "ignore", "ignore"]
  })

const setup = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fanout-joblog-"))
  fs.mkdirSync(path.join(dir, ".parallel"))
  fs.writeFileSync(path.join(dir, ".parallel", "will-cite"), "")
  return dir
}

const specs = (commands: ReadonlyArray<string>): Array<Job.JobSpec> =>
  commands.map((command, i) => ({ seq: i + 1, command, args: [] }))
const quiet = { warn: () => Effect.void }

/** Starttime and JobRuntime differ run to run: check their format, then blank them. */
const normalize = (joblog: string): string =>
  joblog.split("\n").map((line, i) => {
    if (i === 0 || line === "") return line
    const cols = line.split("\t")
    expect(cols[2]).toMatch(/^\d{10}\.\d{3}$/)
    expect(cols[3]).toMatch(/^ *\d+\.\d{3}$/)
    expect(cols[3].length).toBe(10)
    return [cols[0], cols[1], "T", "R", ...cols.slice(4)].join("\t")
  }).join("\n")

describe("joblog, compared with GNU parallel", () => {
  it.live("writes the same rows as GNU parallel for the same batch", () =>
    Effect.gen(function*() {
      const dir = setup()
      const commands = ["echo hello", "exit 3", "printf 'a\\nb'", "kill -9 $$", "sleep 3", "echo err >&2", "true"]
      parallel(["-j1", "--timeout", "0.5", "--joblog", "gnu.jl", ":::", ...commands], dir)
      const ours = path.join(dir, "ours.jl")
      yield* Batch.runJobs(specs(commands), { jobs: 1, timeout: "500 millis", joblog: ours, ...quiet })
      const gnu = fs.readFileSync(path.join(dir, "gnu.jl"), "utf8")
      expect(gnu.split("\n")[0] + "\n").toBe(Joblog.header)
      expect(normalize(fs.readFileSync(ours, "utf8"))).toBe(normalize(gnu))
    }))

  it.live("resume skips what GNU parallel's --resume skips", () =>
    Effect.gen(function*() {
      const dir = setup()
      parallel(["-j1", "--joblog", "first.jl", ":::", "true", "exit 1", "true", "exit 2", "true"], dir)
      // A run cut short: job 3 never finished.
      const partial = fs.readFileSync(path.join(dir, "first.jl"), "utf8").split("\n").filter((line) =>
        !line.startsWith("3\t")
      ).join("\n")
      fs.writeFileSync(path.join(dir, "gnu.jl"), partial)
      fs.writeFileSync(path.join(dir, "ours.jl"), partial)
      const record = "echo $PARALLEL_SEQ >> "
      parallel(["-j1", "--resume", "--joblog", "gnu.jl", record + "gnu.ran #", ":::", ..."abcdefg"], dir)
      yield* Batch.runJobs(
        specs(Array.from("abcdefg", () => record + path.join(dir, "ours.ran"))),
        { jobs: 1, joblog: path.join(dir, "ours.jl"), resume: "all", ...quiet }
      )
      const gnuRan = fs.readFileSync(path.join(dir, "gnu.ran"), "utf8")
      expect(gnuRan).toBe("3\n6\n7\n")
      expect(fs.readFileSync(path.join(dir, "ours.ran"), "utf8")).toBe(gnuRan)
      const seqs = (file: string) =>
        fs.readFileSync(path.join(dir, file), "utf8").trim().split("\n").slice(1).map((line) => line.split("\t")[0])
      expect(seqs("ours.jl")).toEqual(seqs("gnu.jl"))
    }))

  it.live("resume-failed reruns what GNU parallel's --resume-failed reruns", () =>
    Effect.gen(function*() {
      const dir = setup()
      parallel(["-j1", "--joblog", "gnu.jl", ":::", "true", "exit 1", "true", "kill -9 $$", "true"], dir)
      fs.copyFileSync(path.join(dir, "gnu.jl"), path.join(dir, "ours.jl"))
      const record = "echo $PARALLEL_SEQ >> "
      parallel(["-j1", "--resume-failed", "--joblog", "gnu.jl", record + "gnu.ran #", ":::", ..."abcdefg"], dir)
      yield* Batch.runJobs(
        specs(Array.from("abcdefg", () => record + path.join(dir, "ours.ran"))),
        { jobs: 1, joblog: path.join(dir, "ours.jl"), resume: "succeeded", ...quiet }
      )
      const gnuRan = fs.readFileSync(path.join(dir, "gnu.ran"), "utf8")
      expect(gnuRan).toBe("2\n4\n6\n7\n")
      expect(fs.readFileSync(path.join(dir, "ours.ran"), "utf8")).toBe(gnuRan)
    }))

  it.live("a joblog that is not one fails with a one-line JoblogError", () =>
    Effect.gen(function*() {
      const dir = setup()
      const file = path.join(dir, "bad.jl")
      fs.writeFileSync(file, Joblog.header + "not a row\n")
      const error = yield* Effect.flip(Joblog.finishedSeqs(file, "all"))
      expect(error.message).toBe(`joblog ${file}: line 2 is not a joblog row: not a row`)
    }))
})
