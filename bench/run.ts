/**
 * `pnpm bench` — fanout against its peers, side by side, in one run.
 *
 *   tsx bench/run.ts [--quick] [--only <case-id>[,<case-id>…]] [--reps N] [--out FILE] [--json FILE] [--profile | --no-profile]
 *
 * Every sample is a fresh process; within a case the tools take turns (A B C A B C …)
 * so drift on a shared machine hits them alike. Prints the table; a full run writes
 * bench/RESULTS.md (a quick run writes only where --out says).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as cli from "./cli/cases.js"
import * as pipe from "./cli/pipeCases.js"
import { CaseFailed, ensurePeers, measure, stopSamplesOnSignal, summarize } from "./harness.js"
import * as library from "./inprocess/cases.js"
import type { Sample } from "./inprocess/common.js"
import type { Case, CaseResult, Row, Scale } from "./model.js"
import { profileTool } from "./profile.js"
import type { ProfileNote } from "./report.js"
import { environment, renderResults, renderTable } from "./report.js"
import * as threads from "./threads/cases.js"

const here = path.dirname(fileURLToPath(import.meta.url))

interface Args {
  readonly quick: boolean
  readonly only: ReadonlyArray<string> | undefined
  readonly reps: number | undefined
  readonly out: string | undefined
  readonly json: string | undefined
  readonly profile: boolean | undefined
}

const usage =
  "usage: tsx bench/run.ts [--quick] [--only <case>[,<case>…]] [--reps N] [--out FILE] [--json FILE] [--profile | --no-profile]"

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  let quick = false
  let only: Array<string> | undefined
  let reps: number | undefined
  let out: string | undefined
  let json: string | undefined
  let profile: boolean | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = () => {
      const next = argv[++i]
      if (next === undefined) fail(`${arg} needs a value`)
      return next!
    }
    if (arg === "--quick") quick = true
    else if (arg === "--only") only = value().split(",").filter((id) => id !== "")
    else if (arg === "--reps") {
      const text = value()
      reps = Number(text)
      if (!Number.isInteger(reps) || reps < 1) fail(`--reps must be a whole number >= 1, got ${text}`)
    } else if (arg === "--out") out = value()
    else if (arg === "--json") json = value()
    else if (arg === "--no-profile") profile = false
    else if (arg === "--profile") profile = true
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(usage + "\n")
      process.exit(0)
    } else fail(`unknown argument ${arg}`)
  }
  return { quick, only, reps, out, json, profile }
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${usage}\n`)
  process.exit(2)
}

const log = (message: string) => process.stderr.write(message + "\n")

const MiB = 1024

/** Runs one case: every tool once per repetition, in turn. A tool that fails once is not run again. */
const runCase = async (c: Case, scale: Scale): Promise<CaseResult> => {
  const ms = new Map<string, Array<number>>()
  const rss = new Map<string, Array<number>>()
  const missing = new Map<string, string>()
  for (const tool of c.tools) {
    ms.set(tool.name, [])
    rss.set(tool.name, [])
    if (tool.skip !== undefined) missing.set(tool.name, tool.skip)
  }
  for (let rep = 1; rep <= scale.reps; rep++) {
    for (const tool of c.tools) {
      if (missing.has(tool.name)) continue
      try {
        const m = await measure({
          argv: tool.argv,
          stdinFile: tool.stdinFile,
          env: tool.env === undefined ? undefined : { ...process.env, ...tool.env },
          captureStdout: tool.reportsItself,
          timeoutMs: c.timeoutMs
        })
        let time = m.ms
        let peak = m.maxRssKiB
        if (tool.reportsItself === true) {
          const sample = JSON.parse(m.stdout.trim().split("\n").pop() ?? "") as Sample
          time = sample.ms
          peak = sample.maxRssKiB
        }
        ms.get(tool.name)!.push(time)
        rss.get(tool.name)!.push(peak / MiB)
        log(`  ${c.id} rep ${rep}/${scale.reps} ${tool.name}: ${time.toFixed(1)} ms, ${(peak / MiB).toFixed(1)} MiB`)
      } catch (error) {
        const why = error instanceof CaseFailed ? error.message : String(error)
        missing.set(tool.name, `failed: ${why.replace(/\|/g, "\\|").slice(0, 200)}`)
        log(`  ${c.id} ${tool.name}: ${why}`)
      }
    }
  }
  const rows: Array<Row> = c.tools.map((tool) => {
    const times = ms.get(tool.name)!
    const peaks = rss.get(tool.name)!
    const why = missing.get(tool.name)
    const complete = why === undefined && times.length === scale.reps
    return {
      tool: tool.name,
      argv: tool.display ?? tool.argv,
      input: tool.input,
      tasks: tool.tasks,
      ms: complete ? summarize(times) : undefined,
      rssMiB: complete ? summarize(peaks) : undefined,
      missing: why
    }
  })
  const byName = new Map(rows.map((row) => [row.tool, row]))
  return { case: c, rows, verdicts: c.targets.map((target) => target.judge(byName)) }
}

const main = async () => {
  const args = parseArgs(process.argv.slice(2))
  stopSamplesOnSignal()
  const scale: Scale = { quick: args.quick, reps: args.reps ?? (args.quick ? 1 : 5) }
  const stillMissing = ensurePeers()
  if (stillMissing.includes("time")) fail("GNU time (/usr/bin/time) is needed for peak RSS: apt-get install time")
  const env = environment(scale)
  const stale = cli.staleBundle()
  if (stale.length > 0) {
    log(
      `bench: warning: ${path.relative(path.dirname(here), cli.fanoutBundle)} is older than ${stale[0]} (and ${
        stale.length - 1
      } more); run \`pnpm run build\``
    )
  }
  const skips: cli.FanoutSkips = {
    run: cli.fanoutReady(),
    version: cli.fanoutReady(["--version"]),
    dryRun: cli.fanoutReady(["--dry-run", "true", ":::", "1"])
  }
  if (skips.run !== undefined) log(`bench: fanout rows that run jobs are skipped: ${skips.run}`)
  const built = await library.bundle()
  const threadsBuilt = await threads.bundle()
  let all = [
    ...library.cases(scale, built),
    ...threads.cases(scale, threadsBuilt),
    ...cli.cases(scale, skips),
    ...pipe.cases(scale, skips.run, (id) => args.only === undefined || args.only.includes(id))
  ]
  if (stillMissing.includes("parallel")) {
    all = all.map((c) => ({
      ...c,
      tools: c.tools.map((tool) =>
        tool.argv[0] === "parallel" ? { ...tool, skip: "GNU parallel is not installed and apt-get failed" } : tool
      )
    }))
  }
  const unknown = (args.only ?? []).filter((id) => !all.some((c) => c.id === id))
  if (unknown.length > 0) fail(`unknown case ${unknown.join(", ")}; cases: ${all.map((c) => c.id).join(", ")}`)
  const selected = args.only === undefined ? all : all.filter((c) => args.only!.includes(c.id))
  const results: Array<CaseResult> = []
  for (const c of selected) {
    log(`bench: ${c.id}: ${c.title}`)
    results.push(await runCase(c, scale))
  }
  const profiles: Array<ProfileNote> = []
  if (args.profile ?? !scale.quick) {
    for (const result of results) {
      result.case.targets.forEach((target, i) => {
        if (result.verdicts[i]!.met !== false || target.metric !== "ms") return
        const tool = result.case.tools.find((t) => t.name === target.subject)
        if (tool !== undefined && !profiles.some((p) => p.tool === `${result.case.id}: ${tool.name}`)) {
          profiles.push({ target: target.text, tool: `${result.case.id}: ${tool.name}`, hotspots: [] })
        }
      })
    }
    for (let i = 0; i < profiles.length; i++) {
      const [caseId, toolName] = profiles[i]!.tool.split(": ") as [string, string]
      const tool = results.find((r) => r.case.id === caseId)!.case.tools.find((t) => t.name === toolName)!
      log(`bench: profiling ${profiles[i]!.tool}`)
      const spots = await profileTool(tool).catch(() => undefined)
      profiles[i] = { ...profiles[i]!, hotspots: spots ?? [] }
    }
  }
  process.stdout.write("\n" + renderTable(results) + "\n")
  const command = `pnpm bench${process.argv.slice(2).length > 0 ? " " + process.argv.slice(2).join(" ") : ""}`
  const out = args.out ?? (scale.quick ? undefined : path.join(here, "RESULTS.md"))
  if (out !== undefined) {
    fs.writeFileSync(out, renderResults(env, results, profiles.filter((p) => p.hotspots.length > 0), command) + "\n")
    log(`bench: wrote ${out}`)
  }
  if (args.json !== undefined) {
    fs.writeFileSync(
      args.json,
      JSON.stringify(
        results.map((r) => ({ id: r.case.id, title: r.case.title, rows: r.rows, verdicts: r.verdicts })),
        null,
        2
      ) + "\n"
    )
  }
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
  process.exit(1)
})
