/**
 * The shape of a benchmark: a case runs every tool in turn, repeated; a row is one
 * tool's numbers in that case; a target compares rows of the same run.
 */
import { summarize, type Summary } from "./harness.js"

/** How big a run is: the full run the results are published from, or a quick smoke check. */
export interface Scale {
  readonly quick: boolean
  readonly reps: number
}

export interface Tool {
  /** The row's name in the table. */
  readonly name: string
  /** The process to run for one sample (under GNU time). */
  readonly argv: ReadonlyArray<string>
  /** The command as the report shows it, when it differs from argv (a bundled script). */
  readonly display?: ReadonlyArray<string> | undefined
  /** A file fed on stdin. */
  readonly stdinFile?: string | undefined
  /** Variables added to the environment of this tool's samples. */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** The shell command that produces that input, for the report (`seq 1000`). */
  readonly input?: string | undefined
  /** The case prints its own sample (in-process cases) instead of being timed from outside. */
  readonly reportsItself?: boolean | undefined
  /** Why this tool cannot run in this checkout (e.g. fanout not built yet): its row says so, no number. */
  readonly skip?: string | undefined
  /** Tasks or jobs per sample, for the per-task and per-second figures. */
  readonly tasks?: number | undefined
}

export interface Case {
  readonly id: string
  readonly title: string
  /** What "tasks" are in this case, shown under the table. */
  readonly workload: string
  /** The row every other row's ratio is taken against. */
  readonly reference: string
  /** Show µs/task and tasks/s (true for throughput cases). */
  readonly perTask: boolean
  readonly tools: ReadonlyArray<Tool>
  readonly targets: ReadonlyArray<Target>
  readonly timeoutMs: number
}

export interface Row {
  readonly tool: string
  readonly argv: ReadonlyArray<string>
  readonly input: string | undefined
  readonly tasks: number | undefined
  /** Milliseconds per sample. */
  readonly ms: Summary | undefined
  /** Peak RSS per sample, MiB. */
  readonly rssMiB: Summary | undefined
  /** Why there is no number. */
  readonly missing: string | undefined
}

export interface Verdict {
  readonly target: string
  /** undefined: could not be judged (a row is missing). */
  readonly met: boolean | undefined
  readonly detail: string
}

export interface Target {
  readonly text: string
  /** The row the target is about (profiled when a time target is missed). */
  readonly subject: string
  readonly metric: "ms" | "rssMiB"
  readonly judge: (rows: ReadonlyMap<string, Row>) => Verdict
}

export interface CaseResult {
  readonly case: Case
  readonly rows: ReadonlyArray<Row>
  readonly verdicts: ReadonlyArray<Verdict>
}

const medianOf = (rows: ReadonlyMap<string, Row>, tool: string, metric: "ms" | "rssMiB") =>
  rows.get(tool)?.[metric]?.median

/**
 * `a` ÷ `b` as the median of the per-repetition ratios. Each repetition runs every
 * tool back to back, so a slow spell of a shared machine hits both samples of a
 * pair; the ratio of the two medians mixes samples taken minutes apart.
 */
export const pairedRatio = (a: Summary | undefined, b: Summary | undefined): number | undefined => {
  if (a === undefined || b === undefined || a.samples.length !== b.samples.length) return undefined
  return summarize(a.samples.map((x, i) => x / b.samples[i]!)).median
}

const ratioOf = (rows: ReadonlyMap<string, Row>, a: string, b: string, metric: "ms" | "rssMiB") =>
  pairedRatio(rows.get(a)?.[metric], rows.get(b)?.[metric])

const pct = (fraction: number) => {
  const x = fraction * 100
  return `${x < 10 ? x.toFixed(1) : x.toFixed(0)}%`
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

/** `a` ÷ `b` (paired) must be at most `limit` (time, or peak RSS). */
export const ratioAtMost = (
  text: string,
  a: string,
  b: string,
  limit: number,
  metric: "ms" | "rssMiB" = "ms"
): Target => ({
  text,
  subject: a,
  metric,
  judge: (rows) => {
    const ratio = ratioOf(rows, a, b, metric)
    if (ratio === undefined) return { target: text, met: undefined, detail: `not judged: no numbers for ${a} and ${b}` }
    const met = ratio <= limit
    return {
      target: text,
      met,
      detail: `${a} ÷ ${b} = ${ratio.toFixed(2)}× (limit ${limit}×)${met ? "" : `: over by ${pct(ratio / limit - 1)}`}`
    }
  }
})

/** `a` must be at least `factor` times faster than `b` (`b` ÷ `a`, paired, >= factor). */
export const fasterBy = (text: string, a: string, b: string, factor: number): Target => ({
  text,
  subject: a,
  metric: "ms",
  judge: (rows) => {
    const ratio = ratioOf(rows, b, a, "ms")
    if (ratio === undefined) return { target: text, met: undefined, detail: `not judged: no numbers for ${a} and ${b}` }
    const met = ratio >= factor
    return {
      target: text,
      met,
      detail: `${b} ÷ ${a} = ${ratio.toFixed(2)}× (need ≥ ${factor}×)${
        met ? "" : `: short by ${pct(1 - ratio / factor)}`
      }`
    }
  }
})

/** `tool`'s median peak RSS must stay under `limitMiB`. */
export const rssUnder = (text: string, tool: string, limitMiB: number): Target => ({
  text,
  subject: tool,
  metric: "rssMiB",
  judge: (rows) => {
    const x = medianOf(rows, tool, "rssMiB")
    if (x === undefined) return { target: text, met: undefined, detail: `not judged: no number for ${tool}` }
    const met = x < limitMiB
    return {
      target: text,
      met,
      detail: `${tool} peak RSS ${fmt(x)} MiB (limit ${limitMiB} MiB)${
        met ? "" : `: over by ${fmt(x - limitMiB)} MiB (${pct(x / limitMiB - 1)})`
      }`
    }
  }
})
