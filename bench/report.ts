/**
 * The table (printed and written to bench/RESULTS.md) and the facts a reader needs to
 * trust it: the machine, the versions, the date, the exact commands.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { fanoutBin } from "./cli/cases.js"
import { type CaseResult, pairedRatio, type Row, type Scale } from "./model.js"
import type { Hotspot } from "./profile.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

const num = (x: number) =>
  x >= 1000 ? Math.round(x).toLocaleString("en") : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)

const spread = (median: number, min: number, max: number, scale = 1) =>
  `${num(median * scale)} (${num(min * scale)}–${num(max * scale)})`

/** A command as a reader would type it: paths relative to the repository, `node` for this Node. */
const shown = (argv: ReadonlyArray<string>) =>
  argv
    .map((arg) => (arg === process.execPath ? "node" : arg.startsWith(root + "/") ? path.relative(root, arg) : arg))
    .map((
      arg
    ) => (/^[\w@%+=:,./-]+$/.test(arg) || arg.endsWith(" (bundled)") ? arg : `'${arg.replace(/'/g, "'\\''")}'`))
    .join(" ")

const tableOf = (result: CaseResult): Array<string> => {
  const { case: c, rows } = result
  const reference = rows.find((row) => row.tool === c.reference)?.ms
  const versus = `÷ ${c.reference} (paired)`
  const head = c.perTask
    ? ["tool", "time ms, median (min–max)", versus, "µs/task", "tasks/s", "peak RSS MiB, median (min–max)"]
    : ["tool", "time ms, median (min–max)", versus, "peak RSS MiB, median (min–max)"]
  const line = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`
  const body = rows.map((row: Row) => {
    if (row.ms === undefined || row.rssMiB === undefined) {
      return line([row.tool, row.missing ?? "no number", ...head.slice(2).map(() => "–")])
    }
    const paired = pairedRatio(row.ms, reference)
    const ratio = paired === undefined ? "–" : `${paired.toFixed(2)}×`
    const time = spread(row.ms.median, row.ms.min, row.ms.max)
    const rss = spread(row.rssMiB.median, row.rssMiB.min, row.rssMiB.max)
    if (!c.perTask || row.tasks === undefined) {
      return line([row.tool, time, ratio, ...(c.perTask ? ["–", "–"] : []), rss])
    }
    const us = (row.ms.median * 1000) / row.tasks
    const perSecond = row.tasks / (row.ms.median / 1000)
    return line([row.tool, time, ratio, num(us), num(perSecond), rss])
  })
  return [line(head), line(head.map(() => "---")), ...body]
}

export const renderTable = (results: ReadonlyArray<CaseResult>): string => {
  const out: Array<string> = []
  for (const result of results) {
    out.push(`### ${result.case.title}`, "", `${result.case.workload}.`, "", ...tableOf(result), "")
    for (const verdict of result.verdicts) {
      const mark = verdict.met === undefined ? "–" : verdict.met ? "✔" : "✘"
      out.push(`- ${mark} ${verdict.target}: ${verdict.detail}`)
    }
    if (result.verdicts.length > 0) out.push("")
  }
  return out.join("\n")
}

const tryRun = (file: string, args: ReadonlyArray<string>) => {
  try {
    return execFileSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], cwd: root })
      .trim()
      .split("\n")[0]!
  } catch {
    return "not available"
  }
}

const packageVersion = (name: string) => {
  try {
    const file = path.join(root, "node_modules", name, "package.json")
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version
  } catch {
    return "not installed"
  }
}

export interface Environment {
  readonly lines: ReadonlyArray<string>
}

/** The machine and the versions, captured when the run starts. */
export const environment = (scale: Scale): Environment => {
  const cpus = os.cpus()
  const commit = tryRun("git", ["rev-parse", "--short", "HEAD"])
  const dirty = tryRun("git", ["status", "--porcelain", "--", "packages"]) === "" ? "" : " (with uncommitted changes)"
  return {
    lines: [
      `- date: ${new Date().toISOString()}`,
      `- mode: ${
        scale.quick ? "quick (smoke check: small N)" : "full"
      }, ${scale.reps} repetition(s) per tool, tools interleaved per repetition, every sample a fresh process`,
      `- machine: ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${
        Math.round(os.totalmem() / 2 ** 30)
      } GiB RAM, ${os.type()} ${os.release()} ${os.arch()}; load average at start ${
        os.loadavg().map((x) => x.toFixed(2)).join(" ")
      }`,
      `- node ${process.version}; effect ${packageVersion("effect")}, p-limit ${packageVersion("p-limit")}, p-queue ${
        packageVersion("p-queue")
      }, p-map ${packageVersion("p-map")}, esbuild ${packageVersion("esbuild")}`,
      `- fanout ${tryRun(process.execPath, [fanoutBin, "--version"])} at ${commit}${dirty}`,
      `- ${tryRun("parallel", ["--version"])}; ${tryRun("xargs", ["--version"])}; /bin/sh is ${
        tryRun("readlink", ["-f", "/bin/sh"])
      }`
    ]
  }
}

export interface ProfileNote {
  readonly target: string
  readonly tool: string
  readonly hotspots: ReadonlyArray<Hotspot>
}

export const renderResults = (
  env: Environment,
  results: ReadonlyArray<CaseResult>,
  profiles: ReadonlyArray<ProfileNote>,
  command: string
): string => {
  const out = [
    "# fanout benchmarks",
    "",
    `Written by \`${command}\` (bench/run.ts).`,
    "",
    "Time is wall-clock per sample: for the library cases measured inside the child around the work (imports",
    "excluded), for the CLI cases from spawn to exit. Peak RSS is the",
    "child's `process.resourceUsage().maxRSS` (library) or GNU time's `%M` (CLI: the largest of the tool and",
    "the processes it waited for). Each repetition runs every tool of a case back to back; a ratio is the",
    "median of the per-repetition ratios (paired), so a slow spell of the machine, which hits both samples of",
    "a pair, cancels out. Medians and ranges are of the raw samples.",
    "",
    ...env.lines,
    "",
    renderTable(results)
  ]
  if (profiles.length > 0) {
    out.push(
      "## Where the time goes (missed targets, `node --cpu-prof`, self time)",
      "",
      "One more run of the tool under the profiler. The fanout CLI is profiled on an unminified ES-module bundle",
      "of the same sources so functions keep their names. That bundle is compiled from scratch on every run",
      "(`compileSourceTextModule`), while the published one starts from the V8 code cache `build.mjs` ships, so",
      "start-up profiles overstate compilation. `ChildProcess.spawn` is Node forking the process for a job.",
      ""
    )
    for (const note of profiles) {
      out.push(
        `**${note.target}** — ${note.tool}:`,
        "",
        "| function | where | self ms | share |",
        "| --- | --- | --- | --- |"
      )
      for (const spot of note.hotspots) {
        out.push(`| ${spot.fn} | ${spot.where} | ${num(spot.ms)} | ${(spot.share * 100).toFixed(1)}% |`)
      }
      out.push("")
    }
  }
  out.push(
    "## Commands",
    "",
    "Run from the repository root. A library case runs its script in bench/inprocess/ bundled by esbuild",
    "(bench/inprocess/cases.ts), so every tool pays the same module-loading cost.",
    ""
  )
  for (const result of results) {
    out.push(`${result.case.title}:`, "")
    for (const row of result.rows) {
      out.push(`- ${row.tool}: \`${row.input === undefined ? "" : `${row.input} | `}${shown(row.argv)}\``)
    }
    out.push("")
  }
  return out.join("\n")
}
