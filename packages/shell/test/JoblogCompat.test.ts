import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { recorded } from "../../../test/fixtures/gnuParallel.js"
import { Batch, type Job, Joblog } from "../src/index.js"

// Compared with GNU parallel on the same batch: live where it is installed, else its recording.
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

/**
 * Starttime and JobRuntime differ run to run: check their format, then pin them, so that a
 * recorded joblog stays the same and can still be resumed from.
 */
const stable = (joblog: string): string =>
  joblog.split("\n").map((line, i) => {
    if (i === 0 || line === "") return line
    const cols = line.split("\t")
    expect(cols[2]).toMatch(/^\d{10}\.\d{3}$/)
    expect(cols[3]).toMatch(/^ *\d+\.\d{3}$/)
    expect(cols[3].length).toBe(10)
    return [cols[0], cols[1], "1700000000.000", "     0.000", ...cols.slice(4)].join("\t")
  }).join("\n")

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8")

const specs = (commands: ReadonlyArray<string>): Array<Job.JobSpec> =>
  commands.map((command, i) => ({ seq: i + 1, command, args: [] }))
const quiet = { warn: () => Effect.void }

const seqs = (joblog: string) => joblog.trim().split("\n").slice(1).map((line) => line.split("\t")[0])

const record = "echo $PARALLEL_SEQ >> "

/**
 * GNU parallel logs a batch of `first`; the joblog loses the row of job `drop` (a run cut
 * short); then GNU parallel and we resume seven jobs with `flag` from that same joblog.
 */
const resumeCase = (first: ReadonlyArray<string>, flag: "--resume" | "--resume-failed", drop?: number) =>
  Effect.gen(function*() {
    const theirs = yield* Effect.promise(() =>
      recorded("JoblogCompat", flag, { first, drop: drop ?? null }, async () => {
        const dir = setup()
        parallel(["-j1", "--joblog", "gnu.jl", ":::", ...first], dir)
        const cut = stable(read(dir, "gnu.jl")).split("\n").filter((line) =>
          drop === undefined || !line.startsWith(`${drop}\t`)
        ).join("\n")
        fs.writeFileSync(path.join(dir, "gnu.jl"), cut)
        parallel(["-j1", flag, "--joblog", "gnu.jl", record + "gnu.ran #", ":::", ..."abcdefg"], dir)
        return { cut, ran: read(dir, "gnu.ran"), joblog: stable(read(dir, "gnu.jl")) }
      })
    )
    const dir = setup()
    fs.writeFileSync(path.join(dir, "ours.jl"), theirs.cut)
    yield* Batch.run(
      specs(Array.from("abcdefg", () => record + path.join(dir, "ours.ran"))),
      { jobs: 1, joblog: path.join(dir, "ours.jl"), resume: flag === "--resume" ? "all" : "succeeded", ...quiet }
    )
    return { ours: { ran: read(dir, "ours.ran"), joblog: read(dir, "ours.jl") }, theirs }
  })

describe("joblog, compared with GNU parallel", () => {
  it.live("writes the same rows as GNU parallel for the same batch", () =>
    Effect.gen(function*() {
      const commands = ["echo hello", "exit 3", "printf 'a\\nb'", "kill -9 $$", "sleep 3", "echo err >&2", "true"]
      const theirs = yield* Effect.promise(() =>
        recorded("JoblogCompat", "same rows", { commands }, async () => {
          const dir = setup()
          parallel(["-j1", "--timeout", "0.5", "--joblog", "gnu.jl", ":::", ...commands], dir)
          return stable(read(dir, "gnu.jl"))
        })
      )
      const dir = setup()
      yield* Batch.run(specs(commands), {
        jobs: 1,
        timeout: "500 millis",
        joblog: path.join(dir, "ours.jl"),
        ...quiet
      })
      expect(theirs.split("\n")[0] + "\n").toBe(Joblog.header)
      expect(stable(read(dir, "ours.jl"))).toBe(theirs)
    }))

  it.live("resume skips what GNU parallel's --resume skips", () =>
    Effect.gen(function*() {
      const { ours, theirs } = yield* resumeCase(["true", "exit 1", "true", "exit 2", "true"], "--resume", 3)
      expect(theirs.ran).toBe("3\n6\n7\n")
      expect(ours.ran).toBe(theirs.ran)
      expect(seqs(ours.joblog)).toEqual(seqs(theirs.joblog))
    }))

  it.live("resume-failed reruns what GNU parallel's --resume-failed reruns", () =>
    Effect.gen(function*() {
      const { ours, theirs } = yield* resumeCase(["true", "exit 1", "true", "kill -9 $$", "true"], "--resume-failed")
      expect(theirs.ran).toBe("2\n4\n6\n7\n")
      expect(ours.ran).toBe(theirs.ran)
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
