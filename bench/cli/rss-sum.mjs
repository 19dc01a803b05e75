#!/usr/bin/env node
// Runs a command (its stdout to /dev/null, stdin passed on) and prints one JSON sample:
// {"ms", "maxRssKiB"}, where maxRssKiB is the command's own peak RSS plus its job runner's
// (a child named fanout-runner, or bench/runner-node.mjs), each read from VmHWM in /proc
// while they run. GNU time's %M gives the larger of the two, not their sum.
//
//   node bench/cli/rss-sum.mjs node packages/cli/bin/fanout.cjs -j 8 true < input
import { spawn } from "node:child_process"
import * as fs from "node:fs"

const [file, ...args] = process.argv.slice(2)
const hwm = new Map()

const read = (path) => {
  try {
    return fs.readFileSync(path, "latin1")
  } catch {
    return undefined
  }
}
const peakOf = (pid) => Number(/VmHWM:\s+(\d+)/.exec(read(`/proc/${pid}/status`) ?? "")?.[1] ?? 0)

const sample = (root) => {
  const seen = peakOf(root)
  if (seen > 0) hwm.set(root, Math.max(hwm.get(root) ?? 0, seen))
  for (const pid of fs.readdirSync("/proc")) {
    if (pid.charCodeAt(0) > 57) continue
    const stat = read(`/proc/${pid}/stat`)
    if (stat === undefined) continue
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
    if (ppid !== root) continue
    const cmd = (read(`/proc/${pid}/cmdline`) ?? "").replace(/\0/g, " ")
    if (!cmd.startsWith("fanout-runner") && !cmd.includes("runner-node.mjs")) continue
    hwm.set(Number(pid), Math.max(hwm.get(Number(pid)) ?? 0, peakOf(pid)))
  }
}

const start = process.hrtime.bigint()
const child = spawn(file, args, { stdio: ["inherit", "ignore", "inherit"] })
const timer = setInterval(() => sample(child.pid), 10)
child.on("exit", (code) => {
  clearInterval(timer)
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  let total = 0
  for (const kib of hwm.values()) total += kib
  process.stdout.write(JSON.stringify({ ms, maxRssKiB: total }) + "\n")
  process.exit(code ?? 1)
})
