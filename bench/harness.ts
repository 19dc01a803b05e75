/**
 * Running one measurement: a fresh process per sample, its wall time from this
 * process's clock and its peak RSS from GNU time (or from the child itself for the
 * in-process cases), and the statistics over the repetitions.
 */
import type { ChildProcess } from "node:child_process"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export interface Measurement {
  readonly ms: number
  readonly maxRssKiB: number
  /** What the child printed on stdout, when the case reports its own numbers. */
  readonly stdout: string
}

export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly samples: ReadonlyArray<number>
}

export const summarize = (samples: ReadonlyArray<number>): Summary => {
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples }
}

export class CaseFailed extends Error {}

export interface RunOptions {
  readonly argv: ReadonlyArray<string>
  /** A file whose contents become the child's stdin (default: none). */
  readonly stdinFile?: string | undefined
  /** Keep the child's stdout (in-process cases print their sample there); otherwise it goes to /dev/null. */
  readonly captureStdout?: boolean | undefined
  readonly cwd?: string | undefined
  readonly env?: NodeJS.ProcessEnv | undefined
  readonly timeoutMs?: number | undefined
}

const TIME = "/usr/bin/time"

/**
 * Runs `argv` under GNU time in a fresh process and waits for it. The wall time is
 * measured here (spawn to exit, so GNU time's own fork is in every tool's figure alike);
 * the peak RSS is GNU time's `%M`: the largest of the tool and the processes it waited for.
 * A non-zero exit is a failed case, with the child's stderr in the message.
 */
export const measure = (options: RunOptions): Promise<Measurement> => {
  if (interrupted !== undefined) return new Promise<Measurement>(() => exitIfIdle())
  const report = path.join(scratchDir(), `time-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const stdin = options.stdinFile === undefined ? "ignore" : fs.openSync(options.stdinFile, "r")
  return new Promise<Measurement>((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(TIME, ["-f", "%M", "-o", report, ...options.argv], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [stdin, options.captureStdout === true ? "pipe" : "ignore", "pipe"],
      // its own process group, so a sample that overruns is stopped with everything it started
      detached: true
    })
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr!.on("data", (chunk: Buffer) => {
      if (err.length < 64) err.push(chunk)
    })
    live.add(child)
    let timedOut = false
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true
      stop(child)
    }, options.timeoutMs)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      live.delete(child)
      exitIfIdle()
      if (timer !== undefined) clearTimeout(timer)
      if (typeof stdin === "number") fs.closeSync(stdin)
      let rss = NaN
      try {
        const lines = fs.readFileSync(report, "utf8").trim().split("\n")
        rss = Number(lines[lines.length - 1])
        fs.rmSync(report, { force: true })
      } catch {
        // no report: the failure below says why
      }
      const stderr = Buffer.concat(err).toString("utf8").replace(/Command exited with non-zero status \d+\n?/, "")
        .trim()
      if (code !== 0 || signal !== null) {
        const why = timedOut
          ? `timed out after ${(options.timeoutMs! / 1000).toFixed(0)} s`
          : signal !== null
          ? `killed by ${signal}`
          : `exit ${code}`
        reject(new CaseFailed(`${options.argv.join(" ")}: ${why}${stderr === "" ? "" : `: ${lastLine(stderr)}`}`))
        return
      }
      resolve({ ms, maxRssKiB: rss, stdout: Buffer.concat(out).toString("utf8") })
    })
  })
}

/** The samples running now (one at a time in practice), stopped if the run is interrupted. */
const live = new Set<ChildProcess>()

/** TERM to the sample's process group (a tool then stops its jobs), KILL two seconds later. */
const stop = (child: ChildProcess) => {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name)
    } catch {
      // already gone
    }
  }
  signal("SIGTERM")
  setTimeout(() => signal("SIGKILL"), 2_000).unref()
}

let interrupted: NodeJS.Signals | undefined

const exitIfIdle = () => {
  if (interrupted !== undefined && live.size === 0) process.exit(interrupted === "SIGINT" ? 130 : 143)
}

/** On Ctrl-C or TERM: start nothing more, stop the running sample and its jobs, exit once they are gone. */
export const stopSamplesOnSignal = (): void => {
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    process.once(name, () => {
      interrupted = name
      process.stderr.write(`bench: ${name}: stopping\n`)
      for (const child of live) stop(child)
      exitIfIdle()
    })
  }
}

const lastLine = (text: string) => {
  const lines = text.split("\n").filter((line) => line.trim() !== "")
  return lines[lines.length - 1] ?? ""
}

let scratch: string | undefined
/** A private temporary directory for this run, removed on exit. */
export const scratchDir = (): string => {
  if (scratch === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fanout-bench-"))
    scratch = dir
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }))
  }
  return scratch
}

const onPath = (command: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

/**
 * GNU parallel and GNU time come from Debian; install them when missing (as CI does),
 * and silence parallel's citation notice. Returns what is still missing afterwards.
 */
export const ensurePeers = (): Array<string> => {
  const missing = [
    ...(onPath("parallel") ? [] : ["parallel"]),
    ...(fs.existsSync(TIME) ? [] : ["time"])
  ]
  if (missing.length > 0 && onPath("apt-get")) {
    process.stderr.write(`bench: installing ${missing.join(", ")} with apt-get\n`)
    try {
      execFileSync("sh", ["-c", `apt-get update -qq && apt-get install -y -qq ${missing.join(" ")}`], {
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
      })
    } catch {
      process.stderr.write(`bench: could not install ${missing.join(", ")}\n`)
    }
  }
  const willCite = path.join(os.homedir(), ".parallel", "will-cite")
  if (!fs.existsSync(willCite)) {
    fs.mkdirSync(path.dirname(willCite), { recursive: true })
    fs.writeFileSync(willCite, "")
  }
  return [...(onPath("parallel") ? [] : ["parallel"]), ...(fs.existsSync(TIME) ? [] : ["time"])]
}
