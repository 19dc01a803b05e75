/**
 * `--pipe` and `--pipepart` against GNU parallel (issue 13): `seq N` lines cut
 * into 10 MB blocks, `wc -l` on each at -j 2. Before any timing, every tool's
 * line total is checked once: a faster tool that lost lines has no row.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { scratchDir } from "../harness.js"
import type { Case, Scale, Tool } from "../model.js"
import { fasterBy, rssUnder } from "../model.js"
import { fanoutBin } from "./cases.js"

const node = process.execPath

const seqFile = (lines: number): string => {
  const file = path.join(scratchDir(), `seq-${lines}.txt`)
  if (!fs.existsSync(file)) spawnSync("sh", ["-c", `seq ${lines} > '${file}'`], { stdio: "inherit" })
  return file
}

/** Runs the tool once and sums what the `wc -l` jobs printed: undefined when it is `lines`, else why not. */
const wrongTotal = (tool: Tool, lines: number): string | undefined => {
  const stdin = tool.stdinFile === undefined ? "ignore" : fs.openSync(tool.stdinFile, "r")
  const run = spawnSync(tool.argv[0]!, tool.argv.slice(1), {
    stdio: [stdin, "pipe", "pipe"],
    encoding: "utf8",
    timeout: 300_000,
    maxBuffer: 1 << 24
  })
  if (typeof stdin === "number") fs.closeSync(stdin)
  // a tool that is not installed (GNU parallel on a machine without it) is a row that says why
  if (run.error !== undefined) return `could not run ${tool.argv[0]}: ${run.error.message}`
  const total = run.stdout.trim().split("\n").reduce((sum, n) => sum + Number(n), 0)
  if (run.status === 0 && total === lines) return undefined
  return `wrong result: exit ${run.status}, ${total} lines in all, not ${lines} (${
    run.stderr.trim().split("\n")[0] ?? ""
  })`
}

/** The cases; the input file is written and the line totals checked only for a case that will run. */
export const cases = (scale: Scale, fanoutSkip: string | undefined, wanted: (id: string) => boolean): Array<Case> => {
  const lines = scale.quick ? 1_000_000 : 30_000_000
  const needed = wanted("cli-pipe") || wanted("cli-pipepart")
  const file = needed ? seqFile(lines) : path.join(scratchDir(), "unused")
  const mb = needed ? (fs.statSync(file).size / 1e6).toFixed(0) : "?"
  const checked = (id: string, tools: Array<Tool>): Array<Tool> =>
    !wanted(id)
      ? tools
      : tools.map((tool) => (tool.skip !== undefined ? tool : { ...tool, skip: wrongTotal(tool, lines) }))
  const block = ["-j", "2", "--block", "10M", "wc", "-l"]
  const input = `seq ${lines}`
  // 100 MiB, plus the blocks in flight: one a running job and the one being cut.
  const rssLimit = 100 + 3 * 10
  return [
    {
      id: "cli-pipe",
      title: `CLI --pipe: ${mb} MB of lines on stdin, -j 2 --block 10M wc -l`,
      workload: `\`${input} | TOOL --pipe -j 2 --block 10M wc -l\`; every tool's line total checked first`,
      reference: "GNU parallel",
      perTask: false,
      tools: checked("cli-pipe", [
        { name: "fanout", argv: [node, fanoutBin, "--pipe", ...block], stdinFile: file, input, skip: fanoutSkip },
        { name: "GNU parallel", argv: ["parallel", "--pipe", ...block], stdinFile: file, input }
      ]),
      targets: [
        fasterBy("fanout --pipe at least 1.5× GNU parallel's throughput", "fanout", "GNU parallel", 1.5),
        rssUnder(`fanout --pipe under ${rssLimit} MiB peak RSS (100 + 3 blocks)`, "fanout", rssLimit)
      ],
      timeoutMs: 600_000
    },
    {
      id: "cli-pipepart",
      title: `CLI --pipepart: ${mb} MB file, -j 2 --block 10M wc -l`,
      workload: `\`TOOL --pipepart -a <${input} file> -j 2 --block 10M wc -l\`; line totals checked first`,
      reference: "GNU parallel",
      perTask: false,
      tools: checked("cli-pipepart", [
        { name: "fanout", argv: [node, fanoutBin, "--pipepart", "-a", file, ...block], skip: fanoutSkip },
        { name: "GNU parallel", argv: ["parallel", "--pipepart", "-a", file, ...block] }
      ]),
      targets: [
        fasterBy("fanout --pipepart at least as fast as GNU parallel", "fanout", "GNU parallel", 1),
        rssUnder(`fanout --pipepart under ${rssLimit} MiB peak RSS`, "fanout", rssLimit)
      ],
      timeoutMs: 600_000
    }
  ]
}
