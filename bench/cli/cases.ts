/**
 * The CLI cases: fanout against GNU parallel, `xargs -P` and the Node floor
 * (bench/floor-spawner.mjs), each a fresh process per sample, fed from a file on stdin.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { scratchDir } from "../harness.js"
import type { Case, Scale, Target, Tool } from "../model.js"
import { fasterBy, ratioAtMost, rssUnder } from "../model.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..", "..")
export const fanoutBin = path.join(root, "packages", "cli", "bin", "fanout.cjs")
export const fanoutBundle = path.join(root, "packages", "cli", "dist", "fanout.cjs")
const floor = path.join(root, "bench", "floor-spawner.mjs")
const nodeRunner = path.join(root, "bench", "runner-node.mjs")
const rssSum = path.join(here, "rss-sum.mjs")
const perlFloor = path.join(here, "perl-floor.pl")
const emit = path.join(here, "emit.sh")
const node = process.execPath

/**
 * Whether this checkout's fanout can run a job: undefined when it can, else the
 * reason its rows say "not built yet". Never a number for a tool that is not there.
 */
export const fanoutReady = (args: ReadonlyArray<string> = ["true", ":::", "1"]): string | undefined => {
  if (!fs.existsSync(fanoutBundle)) return "not built yet: no packages/cli/dist/fanout.cjs (run `pnpm run build`)"
  const probe = spawnSync(node, [fanoutBin, ...args], { encoding: "utf8", timeout: 30_000 })
  if (probe.status === 0) return undefined
  const why = (probe.stderr || probe.stdout || `exit ${probe.status}`).trim().split("\n").pop()
  return `not built yet: \`fanout ${args.join(" ")}\` failed: ${why}`
}

/** Why fanout's rows cannot run yet: running jobs, planning them (--dry-run), printing its version. */
export interface FanoutSkips {
  readonly run: string | undefined
  readonly version: string | undefined
  readonly dryRun: string | undefined
}

/** Source files newer than the bundle: the numbers would be for old code. */
export const staleBundle = (): Array<string> => {
  if (!fs.existsSync(fanoutBundle)) return []
  const built = fs.statSync(fanoutBundle).mtimeMs
  const newer: Array<string> = []
  for (const pkg of ["pool", "shell", "cli"]) {
    const src = path.join(root, "packages", pkg, "src")
    if (!fs.existsSync(src)) continue
    for (const file of fs.readdirSync(src, { recursive: true, encoding: "utf8" })) {
      const full = path.join(src, file)
      if (file.endsWith(".ts") && fs.statSync(full).mtimeMs > built) newer.push(path.relative(root, full))
    }
  }
  return newer
}

const inputFile = (name: string, lines: ReadonlyArray<string>): string => {
  const file = path.join(scratchDir(), name)
  fs.writeFileSync(file, lines.join("\n") + "\n")
  return file
}

const seq = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1))

const throughputTargets = (xargsLimit = 1.6): Array<Target> => [
  ratioAtMost("fanout within 1.15× of the Node floor", "fanout", "node floor", 1.15),
  fasterBy("fanout at least 3× GNU parallel's throughput", "fanout", "GNU parallel", 3),
  ratioAtMost(`fanout within ${xargsLimit}× of xargs -P`, "fanout", "xargs -P", xargsLimit)
]

/** fanout and its helper together use no more memory than fanout forking in-process. */
const runnerRssTarget = (): Target =>
  ratioAtMost(
    "peak RSS of fanout + helper no higher than fanout forking in-process",
    "fanout + helper, RSS summed",
    "fanout, in-process",
    1,
    "rssMiB"
  )

/** One job list, as every tool of a case is given it: `command <line>` for each line of `stdinFile`, `jobs` at once. */
interface JobList {
  readonly jobs: number
  readonly command: ReadonlyArray<string>
  readonly stdinFile: string
  /** The shell command that makes `stdinFile`'s lines, for the report. */
  readonly input: string
  readonly tasks: number
}

const fed = ({ input, stdinFile, tasks }: JobList) => ({ stdinFile, input, tasks })

/**
 * The job runner's variants, beside fanout's default (the Perl helper): the Perl floor (the
 * bound on any Perl helper), forking in-process (the fallback without Perl, and fanout
 * before the helper), the same protocol served by a plain Node helper, and the default
 * again with the helper's peak RSS added to fanout's.
 */
const runnerTools = (list: JobList, fanoutSkip: string | undefined): Array<Tool> => {
  const argv = [node, fanoutBin, "-j", String(list.jobs), ...list.command]
  return [
    // the least a Perl process that forks the jobs can take: the bound on any Perl helper
    { name: "Perl floor", argv: ["perl", perlFloor, "-j", String(list.jobs), ...list.command], ...fed(list) },
    { name: "fanout, in-process", argv, env: { FANOUT_RUNNER: "in-process" }, ...fed(list), skip: fanoutSkip },
    {
      name: "fanout, Node helper",
      argv,
      env: { FANOUT_RUNNER: `${node} ${nodeRunner}` },
      ...fed(list),
      skip: fanoutSkip
    },
    {
      name: "fanout + helper, RSS summed",
      argv: [node, rssSum, ...argv],
      display: ["bench/cli/rss-sum.mjs", ...argv],
      reportsItself: true,
      ...fed(list),
      skip: fanoutSkip
    }
  ]
}

/** The same job list through every tool. */
const throughputTools = (list: JobList, fanoutSkip: string | undefined): Array<Tool> => {
  const j = String(list.jobs)
  return [
    { name: "fanout", argv: [node, fanoutBin, "-j", j, ...list.command], ...fed(list), skip: fanoutSkip },
    { name: "GNU parallel", argv: ["parallel", "-j", j, ...list.command], ...fed(list) },
    { name: "xargs -P", argv: ["xargs", "-P", j, "-n", "1", ...list.command], ...fed(list) },
    { name: "node floor", argv: [node, floor, "-j", j, ...list.command], ...fed(list) },
    { name: "node floor, sh -c", argv: [node, floor, "-j", j, "--shell", ...list.command], ...fed(list) }
  ]
}

export const cases = (scale: Scale, skips: FanoutSkips): Array<Case> => {
  const fanoutSkip = skips.run
  const trueJobs = scale.quick ? 24 : 1_000
  const sleepJobs = scale.quick ? 24 : 300
  const queued = scale.quick ? 2_000 : 100_000
  const outputMiB = scale.quick ? 2 : 128
  const trueInput = inputFile("true.txt", seq(trueJobs))
  const sleepInput = inputFile("sleep.txt", Array.from({ length: sleepJobs }, () => "0.01"))
  const queueInput = inputFile("queue.txt", seq(queued))
  const eight = inputFile("eight.txt", seq(8))
  const one = inputFile("one.txt", ["1"])
  const trueList = (jobs: number, command: ReadonlyArray<string>): JobList => ({
    jobs,
    command,
    stdinFile: trueInput,
    input: `seq ${trueJobs}`,
    tasks: trueJobs
  })
  const sleepList: JobList = {
    jobs: 8,
    command: ["sleep"],
    stdinFile: sleepInput,
    input: `yes 0.01 | head -${sleepJobs}`,
    tasks: sleepJobs
  }
  const trueCase = (jobs: number): Case => ({
    id: `cli-true-j${jobs}`,
    title: `CLI: ${trueJobs.toLocaleString("en")} × \`true\` at -j ${jobs}`,
    workload: `\`seq ${trueJobs} | TOOL -j ${jobs} true\`: one \`true N\` process per input line`,
    reference: "node floor",
    perTask: true,
    tools: [
      ...throughputTools(trueList(jobs, ["true"]), fanoutSkip),
      ...(jobs === 8 ? runnerTools(trueList(jobs, ["true"]), fanoutSkip) : [])
    ],
    targets: jobs === 8 ? [...throughputTargets(), runnerRssTarget()] : throughputTargets(),
    timeoutMs: 300_000
  })
  const echoCase: Case = {
    id: "cli-echo-j8",
    title: `CLI: ${trueJobs.toLocaleString("en")} × \`echo hi\` at -j 8, grouped output`,
    workload: `\`seq ${trueJobs} | TOOL -j 8 echo hi\` > /dev/null: one \`echo hi N\` process per input line, ` +
      "each job's output captured and printed whole",
    reference: "node floor",
    perTask: true,
    tools: [
      ...throughputTools(trueList(8, ["echo", "hi"]), fanoutSkip),
      ...runnerTools(trueList(8, ["echo", "hi"]), fanoutSkip)
    ],
    targets: throughputTargets(),
    timeoutMs: 300_000
  }
  return [
    trueCase(2),
    trueCase(8),
    echoCase,
    {
      id: "cli-sleep",
      title: `CLI: ${sleepJobs} × \`sleep 0.01\` at -j 8 (scheduling latency)`,
      workload: `\`yes 0.01 | head -${sleepJobs} | TOOL -j 8 sleep\`; ideal ${
        Math.ceil(sleepJobs / 8) * 10
      } ms of sleeping`,
      reference: "node floor",
      perTask: true,
      tools: [
        ...throughputTools(sleepList, fanoutSkip),
        ...runnerTools(sleepList, fanoutSkip).slice(0, 3)
      ],
      targets: throughputTargets(1.3),
      timeoutMs: 300_000
    },
    {
      id: "cli-startup",
      title: "CLI start-up",
      workload: "`--version`, and one job (`TOOL true ::: 1`; the Node floor reads its one line from stdin)",
      reference: "node -e 0",
      perTask: false,
      tools: [
        { name: "fanout --version", argv: [node, fanoutBin, "--version"], skip: skips.version },
        { name: "fanout, one job", argv: [node, fanoutBin, "true", ":::", "1"], skip: fanoutSkip },
        {
          name: "fanout, one job, in-process",
          argv: [node, fanoutBin, "true", ":::", "1"],
          env: { FANOUT_RUNNER: "in-process" },
          skip: fanoutSkip
        },
        { name: "node -e 0", argv: [node, "-e", "0"] },
        { name: "node floor, one job", argv: [node, floor, "-j", "1", "true"], stdinFile: one, input: "echo 1" },
        { name: "GNU parallel --version", argv: ["parallel", "--version"] },
        { name: "GNU parallel, one job", argv: ["parallel", "true", ":::", "1"] }
      ],
      targets: [
        ratioAtMost("fanout start-up within 1.5× of bare Node", "fanout --version", "node -e 0", 1.5),
        // the helper starts beside the first job, which is forked in-process meanwhile
        ratioAtMost(
          "one job no slower with the job runner than in-process",
          "fanout, one job",
          "fanout, one job, in-process",
          1.05
        )
      ],
      timeoutMs: 60_000
    },
    {
      id: "cli-queue",
      title: `CLI memory: ${queued.toLocaleString("en")} jobs fed on stdin`,
      workload:
        `\`seq ${queued} | fanout -j 8 --dry-run true\`: every job read, queued, templated and printed, none spawned ` +
        "(a real job costs 4–25 ms of process start-up here, so 10^5 of them take minutes to half an hour per tool). " +
        "No peer row: GNU parallel's --dry-run still starts a process per job (~20 ms each here), and xargs has no dry run",
      reference: "fanout --dry-run",
      perTask: true,
      tools: [
        {
          name: "fanout --dry-run",
          argv: [node, fanoutBin, "-j", "8", "--dry-run", "true"],
          stdinFile: queueInput,
          input: `seq ${queued}`,
          tasks: queued,
          skip: skips.dryRun
        }
      ],
      targets: [
        rssUnder(
          `fanout under 100 MiB peak RSS with ${queued.toLocaleString("en")} queued jobs`,
          "fanout --dry-run",
          100
        )
      ],
      timeoutMs: 600_000
    },
    {
      id: "cli-group",
      title: `CLI memory: 8 jobs × ${outputMiB} MiB of grouped output`,
      workload: `\`seq 8 | TOOL -j 8 --group sh bench/cli/emit.sh ${
        outputMiB * 1024 * 1024
      }\` > /dev/null: each job's output held back and printed whole`,
      reference: "GNU parallel",
      perTask: false,
      tools: [
        {
          name: "fanout",
          argv: [node, fanoutBin, "-j", "8", "--group", "sh", emit, String(outputMiB * 1024 * 1024)],
          stdinFile: eight,
          input: "seq 8",
          skip: fanoutSkip
        },
        {
          name: "fanout, in-process",
          argv: [node, fanoutBin, "-j", "8", "--group", "sh", emit, String(outputMiB * 1024 * 1024)],
          env: { FANOUT_RUNNER: "in-process" },
          stdinFile: eight,
          input: "seq 8",
          skip: fanoutSkip
        },
        {
          name: "GNU parallel",
          argv: ["parallel", "-j", "8", "--group", "sh", emit, String(outputMiB * 1024 * 1024)],
          stdinFile: eight
        }
      ],
      targets: [
        rssUnder(`fanout under 150 MiB peak RSS with ${8 * outputMiB} MiB grouped`, "fanout", 150),
        // every byte now crosses one more pipe (job → helper → fanout): it must not cost time
        ratioAtMost("fanout (helper) no slower than fanout forking in-process", "fanout", "fanout, in-process", 1.05)
      ],
      timeoutMs: 600_000
    }
  ]
}
