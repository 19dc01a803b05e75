/**
 * Small things real scripts hit on their first run, each as GNU parallel
 * 20221122 does it (expected outputs checked by hand against it).
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fanout, spawnFanout, tempDir } from "./fixtures/cli/fanout.js"
import { survivors, waitFor } from "./fixtures/cli/processes.js"

const dir = tempDir("fanout-details-")
const header = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

describe("first-run details", () => {
  it("--timeout 0 means no timeout", async () => {
    const result = await fanout(["--timeout", "0", "sleep 0.2; echo {}", ":::", "a"])
    expect([result.status, result.stdout]).toEqual([0, "a\n"])
  })

  it("--tagstring without a replacement string gets nothing appended", async () => {
    expect((await fanout(["--tagstring", "host1", "echo", ":::", "a"])).stdout).toBe("host1\ta\n")
  })

  it("--joblog - writes the log to stdout", async () => {
    const result = await fanout(["--joblog", "-", "echo", ":::", "a"])
    const lines = result.stdout.split("\n")
    expect(lines[0] + "\n").toBe(header)
    expect(lines[1]).toBe("a")
    expect(lines[2]).toMatch(/^1\t:\t[0-9.]+\t +[0-9.]+\t0\t2\t0\t0\techo a$/)
  })

  it("--joblog +FILE appends rows and never writes the header, as GNU parallel 20221122", async () => {
    const log = path.join(dir, "appended")
    expect((await fanout(["--joblog", `+${log}`, "echo", ":::", "a"])).status).toBe(0)
    expect((await fanout(["--joblog", `+${log}`, "-j1", "echo", ":::", "b", "c"])).status).toBe(0)
    const rows = fs.readFileSync(log, "utf8").trim().split("\n").map((row) => row.split("\t"))
    expect(rows.map((row) => [row[0], row[8]])).toEqual([["1", "echo a"], ["1", "echo b"], ["2", "echo c"]])
    expect((await fanout(["--joblog", "", "echo", ":::", "a"])).stderr).toBe(
      "fanout: --joblog: expected a file name, +FILE to append, or - for stdout, got ''\n"
    )
  })

  it("--total-jobs gives --bar the count it cannot make from stdin", async () => {
    const counted = await fanout(["--bar", "--total-jobs", "4", "true"], { input: "1\n2\n3\n4\n" })
    expect(counted.stderr).toMatch(/100%, 4\/4 done/)
    const uncounted = await fanout(["--bar", "true"], { input: "1\n2\n3\n4\n" })
    expect(uncounted.stderr).toMatch(/fanout: 4 done,/)
  })

  it("--version prints the version and nothing else", async () => {
    expect((await fanout(["--version"])).stdout).toBe("0.1.0\n")
  })

  it("--json says when --timeout killed a job", async () => {
    const result = await fanout(["--json", "--timeout", "0.3", "sleep {}", ":::", "5", "0"])
    const records = result.stdout.trim().split("\n").map((line) => JSON.parse(line))
    const bySeq = new Map(records.map((r) => [r.seq, r]))
    expect(bySeq.get(1)?.timedOut).toBe(true)
    expect(bySeq.get(2)?.timedOut).toBe(false)
  })

  it("a joblog whose last line was cut off is resumed up to its last whole row, with a warning", async () => {
    const joblog = path.join(dir, "cut.log")
    fs.writeFileSync(joblog, header + "1\t:\t1796244260.809\t     0.000\t0\t2\t0\t0\techo a\n2\t:\t17962")
    const result = await fanout(["-k", "--joblog", joblog, "--resume", "echo", ":::", "a", "b", "c"])
    expect(result.status).toBe(0)
    expect(result.stdout).toBe("b\nc\n")
    expect(result.stderr).toBe(
      `fanout: ${joblog}: its last line was cut off (a crash while writing it?); resuming from the rows before it\n`
    )
    const rows = fs.readFileSync(joblog, "utf8").trim().split("\n").slice(1).map((row) => row.split("\t")[0])
    expect(rows.sort()).toEqual(["1", "2", "3"])
  })

  it("SIGHUP with inputs left: GNU's notice, running jobs finish, exit 129", async () => {
    const mark = `0.${Math.floor(Math.random() * 9e5) + 1e5}`
    const child = spawnFanout(["-j2", `sleep 1${mark}; echo done {}`, ":::", "1", "2", "3", "4"])
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (chunk) => (stdout += chunk))
    child.stderr?.on("data", (chunk) => (stderr += chunk))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    await waitFor(() => survivors(`sleep 1${mark}`).length >= 2, "the jobs to start")
    child.kill("SIGHUP")
    expect(await exited).toBe(129)
    expect(stdout.trim().split("\n").sort()).toEqual(["done 1", "done 2"])
    expect(stderr).toBe("fanout: SIGHUP received. No new jobs will be started.\nfanout: waiting for 2 jobs to finish\n")
  })
})

describe("a job that cannot start says why", () => {
  it("a command line longer than GNU parallel's limit stops the batch before it runs, naming the input", async () => {
    const long = "a".repeat(3_000_000)
    const result = await fanout(["-k", "echo"], { input: `ok\n${long}\nlater\n` })
    expect(result.status).toBe(255)
    expect(result.stdout).toBe("ok\n")
    expect(result.stderr).toBe(
      `fanout: command line too long (3000005 >= 63664 characters, see -s) at input 2: ${"a".repeat(50)}...\n`
    )
  })

  it("a command line within it, but longer in bytes than the system allows, stops the batch too", async () => {
    const long = "€".repeat(50_000)
    const result = await fanout(["-k", "echo"], { input: `ok\n${long}\nlater\n` })
    expect(result.status).toBe(255)
    expect(result.stdout).toBe("ok\n")
    expect(result.stderr).toBe(
      `fanout: command line too long (150007 > 131071 bytes) at job 2, input '${"€".repeat(40)}...'\n`
    )
  })
})

describe("-k and Ctrl-C", () => {
  it("a job whose held output was thrown away gets no joblog row, so --resume runs it again", async () => {
    const joblog = path.join(dir, "keep-order.log")
    const mark = `${Math.floor(Math.random() * 9e5) + 1e5}`
    const child = spawnFanout([
      "-k",
      "-j4",
      "--joblog",
      joblog,
      `sleep {}; echo done{} # ${mark}`,
      ":::",
      "0",
      "30",
      "0.1",
      "0.2"
    ])
    let stdout = ""
    child.stdout?.on("data", (chunk) => (stdout += chunk))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    // Job 1 printed; 3 and 4 end and wait behind job 2, which runs on.
    await waitFor(() => stdout === "done0\n" && survivors(`sleep 30; echo done30 # ${mark}`).length === 1, "job 1")
    await new Promise((resolve) => setTimeout(resolve, 500))
    child.kill("SIGINT")
    expect(await exited).toBe(130)
    expect(stdout).toBe("done0\n")
    const logged = fs.readFileSync(joblog, "utf8").trim().split("\n").slice(1).map((row) => row.split("\t")[0])
    expect(logged).toEqual(["1"])
    const resumed = await fanout([
      "-k",
      "--joblog",
      joblog,
      "--resume",
      "sleep {}; echo done{}",
      ":::",
      "0",
      "0",
      "0.1",
      "0.2"
    ])
    expect(resumed.stdout).toBe("done0\ndone0.1\ndone0.2\n")
  })
})
