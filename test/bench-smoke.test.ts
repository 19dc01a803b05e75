// The benchmark harness end to end in quick mode: every case runs, every peer gets a
// number, fanout's rows get a number or say plainly that fanout is not built yet.
// No timing assertions: the numbers are whatever this machine gives.
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { requirePeers } from "./fixtures/peers.js"

const root = path.resolve(import.meta.dirname, "..")

const cases = [
  "lib-noop",
  "lib-sleep",
  "lib-memory",
  "threads-noop",
  "threads-cpu",
  "threads-stop",
  "cli-true-j2",
  "cli-true-j8",
  "cli-echo-j8",
  "cli-sleep",
  "cli-startup",
  "cli-queue",
  "cli-group",
  "cli-pipe",
  "cli-pipepart"
]

/** Rows that measure fanout itself; everything else is a peer and must always have numbers. */
const isFanout = (tool: string) => /^(fanout|applyInParallel|WorkerPool|ThreadPool|interrupt a|close a)/.test(tool)

interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly samples: ReadonlyArray<number>
}

interface Result {
  readonly id: string
  readonly rows: ReadonlyArray<
    { readonly tool: string; readonly ms?: Summary; readonly rssMiB?: Summary; readonly missing?: string }
  >
  readonly verdicts: ReadonlyArray<{ readonly target: string; readonly met?: boolean; readonly detail: string }>
}

describe("bench/run.ts --quick", () => {
  it("runs every case and reports a number (or why not) for every tool", { timeout: 180_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-smoke-"))
    try {
      const out = path.join(dir, "RESULTS.md")
      const json = path.join(dir, "results.json")
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          path.join(root, "node_modules", "tsx", "dist", "cli.mjs"),
          "bench/run.ts",
          "--quick",
          "--out",
          out,
          "--json",
          json
        ],
        { cwd: root, maxBuffer: 16 * 1024 * 1024 }
      )
      const results = JSON.parse(fs.readFileSync(json, "utf8")) as ReadonlyArray<Result>
      expect(results.map((r) => r.id)).toEqual(cases)
      for (const result of results) {
        expect(result.rows.length).toBeGreaterThan(0)
        for (const row of result.rows) {
          const where = `${result.id} / ${row.tool}: ${row.missing ?? ""}`
          // GNU parallel may be missing where nothing could install it (the suite passes without it)
          if (row.ms === undefined && row.tool.startsWith("GNU parallel") && !requirePeers) {
            expect(row.missing, where).toMatch(/GNU parallel is not installed/)
            continue
          }
          if (row.ms === undefined) {
            expect(isFanout(row.tool), where).toBe(true)
            expect(row.missing, where).toMatch(/^not built yet: /)
            continue
          }
          for (const summary of [row.ms, row.rssMiB!]) {
            expect(Number.isFinite(summary.median), where).toBe(true)
            expect(summary.min, where).toBeLessThanOrEqual(summary.median)
            expect(summary.median, where).toBeLessThanOrEqual(summary.max)
            expect(summary.samples.length, where).toBe(1)
          }
          expect(row.ms.median, where).toBeGreaterThan(0)
          expect(row.rssMiB!.median, where).toBeGreaterThan(1)
        }
        for (const verdict of result.verdicts) {
          expect(verdict.detail, `${result.id}: ${verdict.target}`).not.toBe("")
        }
      }
      // The printed table and the written report carry every case with its rows.
      const report = fs.readFileSync(out, "utf8")
      for (const result of results) {
        for (const row of result.rows) {
          expect(stdout).toContain(`| ${row.tool} |`)
          expect(report).toContain(`| ${row.tool} |`)
        }
      }
      expect(report).toMatch(/- machine: \d+ × /)
      expect(report).toMatch(/- node v\d+/)
      expect(report).toContain("## Commands")
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("bench ratios", () => {
  it("are medians of per-repetition ratios, so a slow spell hitting both tools of a repetition cancels out", async () => {
    const { pairedRatio } = await import("../bench/model.js")
    const { summarize } = await import("../bench/harness.js")
    // repetition 3 ran during a slow spell: both tools took 10x longer
    const a = summarize([20, 22, 200, 21, 19])
    const b = summarize([10, 10, 100, 12, 10])
    expect(pairedRatio(a, b)).toBe(2)
    expect(a.median / b.median).toBeCloseTo(2.1)
    expect(pairedRatio(a, summarize([1, 2]))).toBeUndefined()
  })
})
