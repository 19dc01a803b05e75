/**
 * `--pipe` keeps memory bounded whatever the input's size, and a slow job
 * slows the reader (issue 13). Measured from outside: fanout's peak RSS (its own
 * `maxRSS`, written at exit by a preloaded module), and how much of its stdin
 * fanout has taken while its jobs sleep.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { bundle, tempDir } from "./fixtures/cli/fanout.js"

const MiB = 1 << 20

/** Runs fanout with `size` bytes on stdin; every byte must reach a `wc -c`. Returns fanout's peak RSS in MiB. */
const peakRss = (size: number, args: string): number => {
  const dir = tempDir("fanout-")
  const report = path.join(dir, "rss")
  const preload = path.join(dir, "peak.cjs")
  fs.writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(${
      JSON.stringify(report)
    }, String(process.resourceUsage().maxRSS)))\n`
  )
  const run = spawnSync("sh", [
    "-c",
    `yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c ${size} | ` +
    `'${process.execPath}' -r '${preload}' '${bundle()}' ${args}`
  ], { encoding: "utf8", maxBuffer: 1 << 24 })
  expect(run.status, run.stderr).toBe(0)
  const total = run.stdout.trim().split("\n").reduce((sum, n) => sum + Number(n), 0)
  expect(total).toBe(size)
  return Number(fs.readFileSync(report, "utf8")) / 1024
}

describe("--pipe memory", () => {
  it("stays near (jobs + 1) blocks while 200 MB go through slow jobs", () => {
    // Node and fanout themselves take about 55 MiB here; the blocks in flight 3 MiB.
    expect(peakRss(200 * 1000 * 1000, "--pipe --block 1M -j2 'sleep 0.005; wc -c'")).toBeLessThan(100 + 3)
  }, 60_000)

  it("--round-robin: 400 MB through two jobs hold no more than a few blocks", () => {
    // It held every byte read until its end before (1 GB in: 1,062 MiB peak); now 129 MiB, GC lag included.
    expect(peakRss(400 * 1000 * 1000, "--pipe --round-robin --block 1M -j2 'wc -c'")).toBeLessThan(200)
  }, 60_000)

  it("a slow job slows the reader: stdin is taken only as jobs take blocks", async () => {
    const child = spawn(process.execPath, [bundle(), "--pipe", "--block", "1M", "-j1", "sleep 5; wc -c"], {
      stdio: ["pipe", "pipe", "pipe"]
    })
    child.stdin.on("error", () => {})
    const chunk = Buffer.alloc(MiB, "x\n")
    let written = 0
    let stopped = false
    const feeding = (async () => {
      while (!stopped && written < 64 * MiB) {
        const more = child.stdin.write(chunk)
        written += chunk.length
        if (!more) {
          await new Promise((resolve) => {
            child.stdin.once("drain", resolve)
            child.stdin.once("close", resolve)
          })
        }
      }
    })()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    stopped = true
    // One block in the job, one being cut, one read buffer, and what the pipes hold.
    expect(written).toBeLessThan(8 * MiB)
    child.kill("SIGTERM")
    await new Promise((resolve) => child.once("exit", resolve))
    child.stdin.destroy()
    await feeding
  }, 30_000)
})
