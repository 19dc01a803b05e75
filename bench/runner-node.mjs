#!/usr/bin/env node
// The job runner's protocol 1 (packages/shell/src/internal/runner/helper.pl) in plain Node,
// no Effect: the other candidate for the helper's language, measured against the Perl one
// in the CLI cases (FANOUT_RUNNER="node bench/runner-node.mjs"). Same frames, same window,
// termination sequence and end-of-input rule; kept to what the bench and a kill -9 need.
import { spawn } from "node:child_process"

const windowBytes = 1 << 20
const graceMs = 200
const jobs = new Map()
let baseEnv = { ...process.env }
let controlOpen = true
let pending = []

const frame = (type, id, payload) => {
  const body = typeof payload === "string" ? Buffer.from(payload, "latin1") : payload
  const head = Buffer.allocUnsafe(9)
  head.write(type, 0, "latin1")
  head.writeUInt32BE(id, 1)
  head.writeUInt32BE(body.length, 5)
  pending.push(head, body)
  if (pending.length === 2) setImmediate(flush)
}
const flush = () => {
  if (pending.length === 0) return
  const out = Buffer.concat(pending)
  pending = []
  process.stdout.write(out)
}
process.stdout.on("error", () => fanoutLeft())

const alive = (pgid) => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    return error.code === "EPERM"
  }
}

const signal = (pgid, name) => {
  try {
    process.kill(-pgid, name)
  } catch {
    // gone
  }
}

const parseSeq = (text) => {
  const words = text.split(",")
  const steps = []
  for (let i = 0; i + 1 < words.length; i += 2) steps.push([`SIG${words[i]}`, Number(words[i + 1])])
  return steps
}

const terminate = (job) => {
  if (job.terminating || job.groupGone) return
  job.terminating = true
  const steps = job.steps
  let step = 0
  let stepEnd = 0
  let pause = 1
  const tick = () => {
    if (!alive(job.pid)) return gone(job)
    const now = Date.now()
    if (now >= stepEnd) {
      const [name, ms] = steps[step] ?? ["SIGKILL", 50]
      step++
      signal(job.pid, name)
      stepEnd = now + ms
      pause = 1
    } else pause = Math.min(pause * 1.5, 10)
    setTimeout(tick, Math.min(pause, Math.max(0, stepEnd - now)))
  }
  tick()
}

const gone = (job) => {
  job.groupGone = true
  finish(job)
}

const finish = (job) => {
  if (job.status === undefined || !job.groupGone || job.sent) return
  if (job.open > 0) {
    if (job.cancel) {
      job.child.stdout.destroy()
      job.child.stderr.destroy()
    } else if (job.grace === undefined) {
      job.grace = setTimeout(() => {
        job.child.stdout.destroy()
        job.child.stderr.destroy()
      }, graceMs)
    }
    return
  }
  clearTimeout(job.grace)
  job.sent = true
  jobs.delete(job.id)
  const [code, sig] = job.status
  const name = sig === null ? "-" : sig.replace(/^SIG/, "")
  frame("D", job.id, `${code ?? "-"} ${name} ${job.runtime.toFixed(3)} ${job.bytes.O} ${job.bytes.E}`)
  if (!controlOpen && jobs.size === 0) exitSoon()
}

const start = (id, payload) => {
  const fields = payload.toString("latin1").split("\0")
  const [flags, termSeq, cwd, argc] = fields.splice(0, 4)
  const words = (n) => fields.splice(0, n).map((word) => Buffer.from(word, "latin1").toString("utf8"))
  const argv = words(Number(argc))
  const fallback = flags.includes("f") ? words(Number(fields.shift())) : undefined
  const env = { ...baseEnv }
  for (const entry of fields) {
    const at = entry.indexOf("=")
    if (at > 0) env[entry.slice(0, at)] = Buffer.from(entry.slice(at + 1), "latin1").toString("utf8")
  }
  const began = performance.now()
  let child
  const run = (words) =>
    spawn(words[0], words.slice(1), { detached: true, env, cwd: cwd || undefined, stdio: ["ignore", "pipe", "pipe"] })
  try {
    child = run(argv)
    // libuv reports a failed exec at once (no pid): a plain command then goes to its shell
    if (child.pid === undefined && fallback !== undefined) {
      child.on("error", () => {})
      child = run(fallback)
    }
  } catch (error) {
    return frame("F", id, `${error.code ?? "UNKNOWN"}\0${error.message}`)
  }
  if (child.pid === undefined) {
    child.once("error", (error) => frame("F", id, `${error.code ?? "UNKNOWN"}\0${error.message}`))
    return
  }
  child.on("error", () => {})
  const job = {
    id,
    pid: child.pid,
    child,
    steps: parseSeq(termSeq),
    relay: { O: flags.includes("o"), E: flags.includes("e") },
    bytes: { O: 0, E: 0 },
    unacked: 0,
    open: 2
  }
  jobs.set(id, job)
  frame("S", id, String(child.pid))
  const read = (stream, kind) => {
    stream.on("data", (chunk) => {
      job.bytes[kind] += chunk.length
      if (!job.relay[kind] || job.cancel) return
      job.unacked += chunk.length
      frame(kind, id, chunk)
      if (job.unacked >= windowBytes) {
        child.stdout.pause()
        child.stderr.pause()
      }
    })
    stream.once("close", () => {
      job.open--
      finish(job)
    })
  }
  read(child.stdout, "O")
  read(child.stderr, "E")
  child.once("exit", (code, sig) => {
    job.status = [code, sig]
    job.runtime = performance.now() - began
    if (job.terminating) return finish(job)
    if (!alive(job.pid)) return gone(job)
    terminate(job)
  })
}

const fanoutLeft = () => {
  controlOpen = false
  pending = []
  for (const job of jobs.values()) {
    job.cancel = true
    terminate(job)
  }
  if (jobs.size === 0) exitSoon()
}

const exitSoon = () => setImmediate(() => process.exit(0))

const handle = (type, id, payload) => {
  if (type === "R") return start(id, payload)
  const job = jobs.get(id)
  if (type === "V") {
    baseEnv = {}
    for (const entry of payload.toString("latin1").split("\0")) {
      const at = entry.indexOf("=")
      if (at > 0) baseEnv[entry.slice(0, at)] = Buffer.from(entry.slice(at + 1), "latin1").toString("utf8")
    }
  } else if (type === "A" && job !== undefined) {
    job.unacked = Math.max(0, job.unacked - Number(payload.toString("latin1")))
    if (job.unacked < windowBytes) {
      job.child.stdout.resume()
      job.child.stderr.resume()
    }
  } else if (type === "T" && job !== undefined) {
    if (payload.toString("latin1").includes("c")) job.cancel = true
    if (job.status === undefined || !job.groupGone) terminate(job)
  }
}

let input = Buffer.alloc(0)
process.stdin.on("data", (chunk) => {
  input = input.length === 0 ? chunk : Buffer.concat([input, chunk])
  while (input.length >= 9) {
    const length = input.readUInt32BE(5)
    if (input.length < 9 + length) break
    handle(String.fromCharCode(input[0]), input.readUInt32BE(1), input.subarray(9, 9 + length))
    input = input.subarray(9 + length)
  }
})
process.stdin.once("end", fanoutLeft)
for (const name of ["SIGTERM", "SIGINT"]) process.on(name, fanoutLeft)
process.on("SIGHUP", () => {})
frame("H", 0, `fanout-runner 1 ${process.pid}`)
flush()
