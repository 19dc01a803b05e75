#!/usr/bin/env node
// The floor for any Node tool that runs commands: read argument lines from stdin, run
// `command arg` for each with at most -j at once, capture each job's output and print
// it whole when the job ends (grouped), exit with the number of failed jobs.
// Nothing else: no templates, no quoting, no signals, no joblog.
//
//   seq 1000 | node bench/floor-spawner.mjs -j 8 [--shell] true
//
// Default: spawn argv directly (no shell), the least a Node tool can do per job.
// --shell: run `/bin/sh -c 'command arg'` per job, as a tool taking command lines must.
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"

const argv = process.argv.slice(2)
let jobs = 1
let shell = false
while (argv.length > 0 && argv[0].startsWith("-")) {
  const flag = argv.shift()
  if (flag === "-j") jobs = Number(argv.shift())
  else if (flag === "--shell") shell = true
  else {
    process.stderr.write(`floor-spawner: unknown option ${flag}\n`)
    process.exit(255)
  }
}
if (!Number.isInteger(jobs) || jobs < 1 || argv.length === 0) {
  process.stderr.write("usage: floor-spawner.mjs -j N [--shell] command [args...] < argument-lines\n")
  process.exit(255)
}

const pending = []
let running = 0
let inputDone = false
let failed = 0

const start = (arg) => {
  running++
  const child = shell
    ? spawn("/bin/sh", ["-c", `${argv.join(" ")} ${arg}`], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(argv[0], [...argv.slice(1), arg], { stdio: ["ignore", "pipe", "pipe"] })
  const out = []
  const err = []
  child.stdout.on("data", (chunk) => out.push(chunk))
  child.stderr.on("data", (chunk) => err.push(chunk))
  child.on("error", () => {})
  child.on("close", (code) => {
    if (code !== 0) failed++
    if (out.length > 0) process.stdout.write(Buffer.concat(out))
    if (err.length > 0) process.stderr.write(Buffer.concat(err))
    running--
    next()
  })
}

const next = () => {
  while (running < jobs && pending.length > 0) start(pending.shift())
  if (inputDone && running === 0 && pending.length === 0) process.exitCode = Math.min(failed, 101)
}

const lines = createInterface({ input: process.stdin })
lines.on("line", (line) => {
  pending.push(line)
  next()
})
lines.on("close", () => {
  inputDone = true
  next()
})
