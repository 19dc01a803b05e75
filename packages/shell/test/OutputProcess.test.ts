/**
 * GNU parallel's checklist for parallel tools ("TESTING OTHER TOOLS" in
 * parallel_alternatives: MIX, RAM, CLEANUP) plus EPIPE, with real child
 * processes and real pipes: `fixtures/output/run.ts` runs shell jobs through an
 * `Output` that writes to its own stdout/stderr, which are pipes into this test.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type * as Output from "../src/Output.js"

const root = path.resolve(__dirname, "../../..")
// `node --import tsx`, not the tsx wrapper: the pid we measure and kill must be the one running Output.
const tsx = ["--import", "tsx"]
const fixture = path.join(__dirname, "fixtures/output/run.ts")

interface Spec {
  readonly options: Omit<Output.OutputOptions, "stdout" | "stderr">
  readonly jobs: ReadonlyArray<{ readonly seq: number; readonly command: string; readonly tag?: string }>
  readonly hold?: boolean
}

interface Run {
  readonly code: number | null
  readonly stdout: Buffer
  readonly stderr: Buffer
  readonly report: { readonly outcome: string; readonly maxRSS: number }
  readonly ms: number
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "fanout-output-proc-"))

/** Runs the fixture; `count` keeps only the byte count of stdout (for the GB runs). */
const run = (spec: Spec, options: { count?: boolean; pipeTo?: string } = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const reportFile = path.join(tmp(), "report.json")
    const started = Date.now()
    const env = { ...process.env, FANOUT_REPORT: reportFile, SPEC: JSON.stringify(spec) }
    const child = options.pipeTo === undefined
      ? ChildProcess.spawn(process.execPath, [...tsx, fixture, JSON.stringify(spec)], {
        cwd: root,
        env,
        stdio: ["ignore", "pipe", "pipe"]
      })
      : ChildProcess.spawn("/bin/sh", [
        "-c",
        `"${process.execPath}" --import tsx "${fixture}" "$SPEC" | ${options.pipeTo}`
      ], {
        cwd: root,
        env,
        stdio: ["ignore", "pipe", "pipe"]
      })
    const out: Array<Buffer> = []
    let outBytes = 0
    const err: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => {
      outBytes += chunk.length
      if (!options.count) out.push(chunk)
    })
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      const stdout = options.count ? Buffer.from(String(outBytes)) : Buffer.concat(out)
      resolve({
        code,
        stdout,
        stderr: Buffer.concat(err),
        report: JSON.parse(fs.readFileSync(reportFile, "utf8")),
        ms: Date.now() - started
      })
    })
  })

// 30 jobs; job k writes lines of 9 × its own letter, 3 × 1 MB to stdout and 3 × 1 MB to stderr, alternating.
// A 10-byte line does not divide the 64 KiB pipe chunks, so chunks end mid-line.
const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcd"
const LINES_PER_STREAM = 300_000
const mixJobs = (tag: boolean) =>
  [...letters].map((letter, i) => ({
    seq: i + 1,
    command: `for i in 1 2 3; do yes ${letter.repeat(9)} | head -c 1000000; yes ${
      letter.repeat(9)
    } | head -c 1000000 >&2; done`,
    ...(tag ? { tag: letter } : {})
  }))

/** Runs of identical consecutive lines: [line, count]. */
const runs = (text: string): Array<[string, number]> => {
  const result: Array<[string, number]> = []
  for (const line of text.split("\n")) {
    const last = result[result.length - 1]
    if (last !== undefined && last[0] === line) last[1]++
    else result.push([line, 1])
  }
  return result
}

describe("Output with real processes and pipes", () => {
  it("MIX group: 30 concurrent jobs, each block whole and contiguous, stdout and stderr apart", async () => {
    const result = await run({
      options: { mode: "group", keepOrder: false, format: "raw" },
      jobs: mixJobs(false)
    })
    expect(result.report.outcome).toBe("ok")
    for (const stream of [result.stdout.toString(), result.stderr.toString()]) {
      const blocks = runs(stream).filter(([line]) => line !== "")
      expect(blocks).toHaveLength(30)
      expect(new Set(blocks.map(([line]) => line)).size).toBe(30)
      for (const [line, count] of blocks) {
        expect(line).toMatch(/^(.)\1{8}$/)
        expect(count).toBe(LINES_PER_STREAM)
      }
    }
  }, 180_000)

  it("MIX line: lines of 30 jobs interleave but none is cut; every line is tagged", async () => {
    const result = await run({
      options: { mode: "line", keepOrder: false, format: "raw" },
      jobs: mixJobs(true)
    })
    expect(result.report.outcome).toBe("ok")
    for (const stream of [result.stdout.toString(), result.stderr.toString()]) {
      const counts = new Map<string, number>()
      const lines = stream.split("\n")
      expect(lines.pop()).toBe("")
      // One expect per line would take minutes for 9 million lines: count the bad ones instead.
      const bad = lines.filter((line) => !/^(.)\t\1{9}$/.test(line))
      expect(bad.slice(0, 3)).toEqual([])
      for (const line of lines) counts.set(line[0]!, (counts.get(line[0]!) ?? 0) + 1)
      expect([...counts.values()]).toEqual(Array(30).fill(LINES_PER_STREAM))
      // The jobs ran at the same time, so their lines really interleave.
      expect(runs(stream).length).toBeGreaterThan(30)
    }
  }, 180_000)

  it("MIX ungroup: every byte of every job arrives", async () => {
    const result = await run({
      options: { mode: "ungroup", keepOrder: false, format: "raw" },
      jobs: mixJobs(false)
    })
    expect(result.report.outcome).toBe("ok")
    for (const stream of [result.stdout, result.stderr]) {
      expect(stream.length).toBe(30 * 3_000_000)
      const counts = new Map<number, number>()
      for (const byte of stream) counts.set(byte, (counts.get(byte) ?? 0) + 1)
      expect(counts.get(10)).toBe(30 * LINES_PER_STREAM)
      for (const letter of letters) expect(counts.get(letter.charCodeAt(0))).toBe(9 * LINES_PER_STREAM)
    }
  }, 180_000)

  it("RAM: 1 GiB through group mode with keepOrder (seq 1 last to end) keeps memory bounded", async () => {
    const size = 128 * 1024 * 1024
    const baseline = await run({
      options: { mode: "group", keepOrder: true, format: "raw" },
      jobs: [{ seq: 1, command: "echo hi" }]
    })
    const result = await run({
      options: { mode: "group", keepOrder: true, format: "raw", tmpdir: tmp() },
      jobs: Array.from({ length: 8 }, (_, i) => ({
        seq: i + 1,
        command: `${i === 0 ? "sleep 1; " : ""}head -c ${size} /dev/zero`
      }))
    }, { count: true })
    expect(result.report.outcome).toBe("ok")
    expect(Number(result.stdout.toString())).toBe(8 * size)
    const mb = (kb: number) => Math.round(kb / 1024)
    console.log(
      `RAM: 1 GiB grouped, keepOrder: peak RSS ${mb(result.report.maxRSS)} MB ` +
        `(baseline tsx + effect, one tiny job: ${mb(baseline.report.maxRSS)} MB), ${result.ms} ms`
    )
    expect(result.report.maxRSS - baseline.report.maxRSS).toBeLessThan(128 * 1024)
  }, 180_000)

  it("CLEANUP: kill -9 while jobs hold spilled output leaves no file in the tmpdir", async () => {
    const dir = tmp()
    const child = ChildProcess.spawn(process.execPath, [
      ...tsx,
      fixture,
      JSON.stringify(
        {
          options: { mode: "group", keepOrder: false, format: "raw", spillThreshold: 4096, tmpdir: dir },
          jobs: [{ seq: 1, command: "seq 1000000" }, { seq: 2, command: "seq 1000000 >&2" }],
          hold: true
        } satisfies Spec
      )
    ], { cwd: root, stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    await new Promise<void>((resolve) =>
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString()
        if (stderr.split("spilled").length > 2) resolve()
      })
    )
    // The spill files exist (open, already unlinked) while the directory is empty.
    const spills = fs.readdirSync(`/proc/${child.pid}/fd`)
      .map((fd) => {
        try {
          return fs.readlinkSync(`/proc/${child.pid}/fd/${fd}`)
        } catch {
          return ""
        }
      })
      .filter((target) => target.startsWith(dir))
    expect(spills).toHaveLength(2)
    for (const target of spills) expect(target).toMatch(/\(deleted\)$/)
    expect(fs.readdirSync(dir)).toEqual([])
    const closed = new Promise((resolve) => child.on("close", resolve))
    child.kill("SIGKILL")
    expect(await closed).toBe(null)
    expect(fs.readdirSync(dir)).toEqual([])
  })

  for (const mode of ["line", "group"] as const) {
    it(`EPIPE (${mode}): stdout into head -n 1 stops the run quickly and quietly`, async () => {
      const result = await run({
        options: { mode, keepOrder: false, format: "raw", tmpdir: tmp() },
        // `yes` never ends: only the closed pipe can stop this run.
        jobs: mode === "line"
          ? [{ seq: 1, command: "yes" }, { seq: 2, command: "sleep 30" }]
          : [{ seq: 1, command: "seq 3000000" }, { seq: 2, command: "seq 3000000" }]
      }, { pipeTo: "head -n 1" })
      expect(result.stdout.toString()).toMatch(/^(y|1)\n$/)
      expect(result.stderr.toString()).toBe("")
      expect(result.report.outcome).toBe("OutputClosedError")
      expect(result.ms).toBeLessThan(20_000)
    })
  }
})
