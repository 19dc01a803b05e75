/**
 * `fanout` running jobs for real, as a user runs it: same stdout and exit
 * status as GNU parallel for the common cases, and signals that leave no
 * process of any job behind.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { bundle, fanout, spawnFanout, tempDir } from "./fixtures/cli/fanout.js"
import { survivors, waitFor } from "./fixtures/cli/processes.js"
import { startInTmux, tmuxIt } from "./fixtures/cli/tmux.js"
import { digest, recordedParallel } from "./fixtures/gnuParallel.js"

const dir = tempDir()

/** Cases whose stdout and exit status must equal GNU parallel's. */
const sameAsParallel: ReadonlyArray<readonly [string, ReadonlyArray<string>, string?]> = [
  ["-k with args", ["-k", "echo", ":::", "a", "b c", "d"]],
  ["cartesian product in order", ["-k", "echo", "{1}-{2}", ":::", "a", "b", ":::", "1", "2"]],
  ["--link", ["-k", "--link", "echo", "{1}{2}", ":::", "a", "b", ":::", "1", "2"]],
  ["grouped stdout of mixed-speed jobs, -k", ["-k", "-j4", "sleep 0.0{}; seq {}", ":::", "3", "1", "2"]],
  ["--tag", ["-k", "--tag", "printf 'x\\ny\\n'; echo", ":::", "a", "b"]],
  ["--tagstring with {%} and {#}", ["-k", "-j1", "--tagstring", "{#}/{%}", "echo", ":::", "a", "b"]],
  ["each stdin line is a command", ["-k"], "echo one\necho two; echo three\n"],
  ["stdin lines as args", ["-k", "echo", "[{}]"], "x y\n$HOME\n`id`\n"],
  ["replacement strings", ["-k", "echo", "{.} {/} {//} {/.}", ":::", "dir/sub/file.tar.gz"]],
  ["failures count in the exit status", ["-k", "echo {}; exit {}", ":::", "0", "1", "2", "0", "3"]],
  ["more than 100 failures exit 101", ["false", ":::", ...Array.from({ length: 105 }, (_, i) => String(i))]],
  ["--halt now,fail=1 exits with the job's status", ["-j1", "--halt", "now,fail=1", "exit {}", ":::", "0", "7", "0"]],
  ["--halt soon,fail=2", ["-j1", "--halt", "soon,fail=2", "echo {}; exit {}", ":::", "0", "1", "2", "3"]],
  ["--halt soon,done=2 with no failure exits 101", ["-j1", "--halt", "soon,done=2", "echo {}", ":::", "1", "2", "3"]],
  ["--halt now,done=2 after a failure", ["-j1", "--halt", "now,done=2", "echo {}; exit {}", ":::", "1", "0", "0"]],
  ["-0 input", ["-0", "-k", "echo", "<{}>"], "a b\0c\nd\0"],
  ["--colsep", ["-k", "--colsep", ",", "echo", "{2}:{1}"], "a,b\nc,d\n"]
]

describe("fanout runs jobs as GNU parallel does", () => {
  for (const [name, args, input] of sameAsParallel) {
    it(name, async () => {
      const options = input === undefined ? {} : { input }
      const ours = await fanout(args, options)
      const theirs = await recordedParallel("cli-run", name, args, options)
      expect(digest(ours.stdout)).toBe(theirs.stdout)
      expect(ours.status).toBe(theirs.status)
    })
  }
})

describe("fanout runs jobs", () => {
  it("runs at most -j jobs at once, in slots 1..j, with PARALLEL_SEQ and PARALLEL_JOBSLOT set", async () => {
    const log = path.join(dir, "slots")
    const result = await fanout([
      "-j3",
      `echo $PARALLEL_SEQ $PARALLEL_JOBSLOT {%} >> ${log}; sleep 0.1`,
      ":::",
      ...Array.from({ length: 9 }, (_, i) => String(i))
    ])
    expect(result.status).toBe(0)
    const rows = fs.readFileSync(log, "utf8").trim().split("\n").map((line) => line.split(" "))
    expect(rows.map((row) => Number(row[0])).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    for (const [, slot, templateSlot] of rows) {
      expect(slot).toBe(templateSlot)
      expect(Number(slot)).toBeGreaterThanOrEqual(1)
      expect(Number(slot)).toBeLessThanOrEqual(3)
    }
  })

  it("--json writes one parseable object per job", async () => {
    const result = await fanout(["-k", "--json", "echo out-{}; echo err-{} >&2; exit {}", ":::", "0", "3"])
    const records = result.stdout.trim().split("\n").map((line) => JSON.parse(line))
    expect(records.map((r) => [r.seq, r.args, r.exit, r.stdout, r.stderr])).toEqual([
      [1, ["0"], 0, "out-0\n", "err-0\n"],
      [2, ["3"], 3, "out-3\n", "err-3\n"]
    ])
    expect(typeof records[0].start).toBe("number")
    expect(typeof records[0].runtime).toBe("number")
    expect(result.status).toBe(1)
  })

  it("--timeout kills the job's whole group and counts it failed", async () => {
    const started = Date.now()
    const result = await fanout(["--timeout", "0.5", "sh -c 'sleep 30' & sleep 30; echo never", ":::", "x"])
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(result.status).toBe(1)
    expect(result.stdout).toBe("")
  })

  it("stops quietly with SIGPIPE's status (as GNU parallel) when the reader of its stdout goes away", () => {
    const out = execFileSync("bash", [
      "-c",
      `"$0" "$1" -j2 'seq 100000; : {}' ::: 1 2 3 4 2>"$2" | head -n 2; echo "status=\${PIPESTATUS[0]}"`,
      process.execPath,
      bundle(),
      path.join(dir, "head-stderr")
    ], {
      encoding: "utf8",
      timeout: 30_000
    })
    expect(out).toBe("1\n2\nstatus=141\n")
    expect(fs.readFileSync(path.join(dir, "head-stderr"), "utf8")).toBe("")
  })
})

describe("fanout on signals", () => {
  for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`${signal}: stops TERM-ignoring jobs and their children, logs finished jobs, exits ${status}`, async () => {
      const mark = `${40 + Math.floor(Math.random() * 50)}.${process.pid}${status}`
      const joblog = path.join(dir, `joblog-${signal}`)
      const child = spawnFanout([
        "-j3",
        "--joblog",
        joblog,
        `test {} = 1 && exit 0; trap '' TERM; sh -c 'sleep ${mark}' & sleep ${mark}; wait`,
        ":::",
        "1",
        "2",
        "3",
        "4"
      ])
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      await waitFor(() => survivors(`sleep ${mark}`).length >= 4, "the jobs to start")
      await waitFor(
        () => fs.existsSync(joblog) && fs.readFileSync(joblog, "utf8").split("\n").length >= 3,
        "job 1's row"
      )
      child.kill(signal)
      expect(await exited).toBe(status)
      expect(survivors(`sleep ${mark}`)).toEqual([])
      const rows = fs.readFileSync(joblog, "utf8").trim().split("\n").slice(1)
      expect(rows.map((row) => row.split("\t")[0])).toEqual(["1"])
    })
  }
})

describe("fanout progress", () => {
  it("--progress off a terminal writes one final line on stderr, nothing on stdout", async () => {
    const result = await fanout(["--progress", "-j2", "exit {}", ":::", "0", "1", "0"])
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(/^fanout: 3\/3 done, 1 failed, [\d.]+ jobs\/s, \d+s elapsed\n$/)
  })

  tmuxIt("--bar --eta on a terminal draws a bar in place and ends at 100%", async () => {
    const { done, session } = startInTmux(dir, "bar", 10, `--bar --eta -j2 'sleep 0.2' ::: 1 2 3 4 5 6`)
    try {
      const screens: Array<string> = []
      await waitFor(() => {
        screens.push(execFileSync("tmux", ["capture-pane", "-p", "-t", session], { encoding: "utf8" }))
        return fs.existsSync(done)
      }, "fanout to finish")
      const final = execFileSync("tmux", ["capture-pane", "-p", "-t", session], { encoding: "utf8" })
      const lines = final.split("\n").filter((line) => line.includes("fanout:"))
      expect(lines).toHaveLength(1) // redrawn in place, not one line per job
      expect(lines[0]).toMatch(/^fanout: \[#{20}\] 100%, 6\/6 done, /)
      expect(screens.some((screen) => /\[#*-+\] \d+%, [1-5]\/6 done.*ETA/.test(screen))).toBe(true)
    } finally {
      execFileSync("tmux", ["kill-session", "-t", session])
    }
  })
})

describe("fanout progress and job output on one terminal", () => {
  tmuxIt("--bar: job output is never glued onto the bar line", async () => {
    const { done, session } = startInTmux(dir, "bar-out", 20, `--bar -j1 'sleep 0.1; echo out{}' ::: 1 2 3 4`)
    try {
      await waitFor(() => fs.existsSync(done), "fanout to finish")
      const screen = execFileSync("tmux", ["capture-pane", "-p", "-t", session], { encoding: "utf8" })
      const lines = screen.split("\n").filter((line) => line.trim() !== "")
      expect(lines.slice(0, 4)).toEqual(["out1", "out2", "out3", "out4"])
      expect(lines[4]).toMatch(/^fanout: \[#{20}\] 100%, 4\/4 done, /)
      expect(lines).toHaveLength(5)
    } finally {
      execFileSync("tmux", ["kill-session", "-t", session])
    }
  })
})

describe("fanout and GNU parallel scripts", () => {
  it("accepts --will-cite and ignores it", async () => {
    const result = await fanout(["--will-cite", "echo", ":::", "a"])
    expect([result.status, result.stdout, result.stderr]).toEqual([0, "a\n", ""])
  })
})

/** GNU parallel's own checks for parallel tools (parallel_alternatives, "TESTING OTHER TOOLS"). */
describe("GNU parallel's MIX, STDERRMERGE and CLEANUP, through the CLI", () => {
  it("MIX: 30 jobs writing 3 MB each in pipe-sized pieces at once; every job's output stays whole", async () => {
    // Job n writes its own letter: `yes X | head -c 3M` is 1.5 M letters once the newlines go, written by tr in
    // 4-8 KB pieces, so the writes of the 30 jobs overlap in time.
    const letters = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcd"]
    const result = await fanout(["-j0", "yes {} | head -c 3000000 | tr -d '\\n'; echo", ":::", ...letters], {
      timeout: 120_000
    })
    expect(result.status).toBe(0)
    const blocks = result.stdout.split("\n").filter((line) => line !== "")
    expect(blocks).toHaveLength(30)
    for (const block of blocks) {
      expect(block.length).toBe(1_500_000)
      expect(block.replaceAll(block[0]!, "")).toBe("")
    }
    expect(new Set(blocks.map((block) => block[0])).size).toBe(30)
  })

  it("STDERRMERGE: with 2>&1 a job's stdout block is followed by its own stderr block, never interleaved", () => {
    const job = "for i in 1 2 3; do echo out-{}-$i; echo err-{}-$i >&2; sleep 0.01; done"
    const out = execFileSync("sh", ["-c", `"$0" "$1" -j4 "$2" ::: a b c d e f 2>&1`, process.execPath, bundle(), job], {
      encoding: "utf8",
      timeout: 60_000
    })
    const lines = out.trim().split("\n")
    expect(lines).toHaveLength(36)
    for (let i = 0; i < 36; i += 6) {
      const name = lines[i]!.split("-")[1]
      expect(lines.slice(i, i + 6)).toEqual([
        `out-${name}-1`,
        `out-${name}-2`,
        `out-${name}-3`,
        `err-${name}-1`,
        `err-${name}-2`,
        `err-${name}-3`
      ])
    }
  })

  it("CLEANUP: after kill -9 of fanout holding spilled output, no temp file is left", async () => {
    const tmp = tempDir("fanout-cleanup-")
    const mark = `${90 + Math.floor(Math.random() * 9)}.${process.pid}`
    // Each job writes 5 MB (past the 1 MiB spill threshold), then waits.
    const child = spawnFanout(["-j2", `head -c 5000000 /dev/zero; sleep ${mark}`, ":::", "1", "2"], {
      env: { TMPDIR: tmp }
    })
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
    try {
      await waitFor(() => {
        const fds = fs.readdirSync(`/proc/${child.pid}/fd`)
        return fds.some((fd) => {
          try {
            return fs.readlinkSync(`/proc/${child.pid}/fd/${fd}`).startsWith(tmp)
          } catch {
            return false
          }
        })
      }, "a spill file")
      expect(fs.readdirSync(tmp)).toEqual([]) // already unlinked while in use
      child.kill("SIGKILL")
      await exited
      expect(fs.readdirSync(tmp)).toEqual([])
    } finally {
      // kill -9 gives fanout no chance to stop its jobs (nor GNU parallel): clean them up here.
      for (const pid of survivors(`sleep ${mark}`)) process.kill(Number(pid), "SIGKILL")
    }
  })
})
