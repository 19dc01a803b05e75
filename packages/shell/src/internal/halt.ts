/** @internal */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import type { HaltPolicy } from "../Halt.js"
import { signalNumber } from "./termSeq.js"

/** @internal */
export class HaltParseError extends Data.TaggedError("HaltParseError")<{ readonly input: string }> {
  override get message() {
    return `bad halt policy "${this.input}": expected never, or now|soon followed by ,fail=, ,success= or ,done= and a count or a percentage (now,fail=1 or soon,fail=10%)`
  }
}

// GNU parallel's older numeric forms.
const legacy: Readonly<Record<string, string>> = {
  "0": "never",
  "1": "soon,fail=1",
  "2": "now,fail=1",
  "-1": "soon,success=1",
  "-2": "now,success=1"
}

/** A count is a whole number >= 1; a percentage is in (0, 100] and may have decimals. */
const policy = /^(now|soon),(fail|success|done)=(?:([0-9]+)|([0-9]+(?:\.[0-9]+)?)%)$/

/** @internal */
export const parse = (input: string): Either.Either<HaltPolicy, HaltParseError> => {
  const trimmed = input.trim()
  // Legacy `N%`: soon,fail=N% for 0 < N < 100.
  const legacyPercent = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(trimmed)
  const expanded = legacy[trimmed] ??
    (legacyPercent !== null && Number(legacyPercent[1]) > 0 && Number(legacyPercent[1]) < 100
      ? `soon,fail=${legacyPercent[1]}%`
      : trimmed)
  if (expanded === "never") return Either.right({ when: "never" })
  const match = policy.exec(expanded)
  if (match === null) return Either.left(new HaltParseError({ input }))
  const [, when, on, count, percent] = match
  const threshold = count !== undefined
    ? { _tag: "Count" as const, count: Number(count) }
    : { _tag: "Percent" as const, percent: Number(percent) }
  if (threshold._tag === "Count" ? threshold.count < 1 : threshold.percent <= 0 || threshold.percent > 100) {
    return Either.left(new HaltParseError({ input }))
  }
  return Either.right({ when: when as "now" | "soon", on: on as "fail" | "success" | "done", threshold })
}

/** @internal */
export interface Outcome {
  readonly failed: boolean
  readonly exitCode: number | null
  readonly signal: string | null
}

/** @internal */
export interface Verdict {
  readonly halt: "now" | "soon" | undefined
  /** GNU parallel says "This job failed:" (succeeded, finished) for every job the policy counts. */
  readonly counted: "failed" | "succeeded" | "finished" | undefined
}

/** A job's exit status as a shell reports it: the code, or 128 + signal. */
const shellStatus = (outcome: Outcome): number =>
  outcome.signal !== null
    ? 128 + signalNumber(outcome.signal)
    : ((outcome.exitCode ?? 0) & 0xff)

/**
 * GNU parallel's halt bookkeeping (`should_we_halt`, `halt`): what to do after
 * each finished job, and the exit status of the batch.
 *
 * @internal
 */
export class HaltTracker {
  started = 0
  completed = 0
  failed = 0
  private haltStatus: number | undefined = undefined
  private triggered = false

  constructor(readonly policy: HaltPolicy, private readonly total: () => number) {}

  onStart(): void {
    this.started++
  }

  onEnd(outcome: Outcome): Verdict {
    this.completed++
    if (outcome.failed) this.failed++
    const policy = this.policy
    if (policy.when === "never") return { halt: undefined, counted: undefined }
    const counted = policy.on === "done"
      ? "finished"
      : policy.on === "fail" && outcome.failed
      ? "failed"
      : policy.on === "success" && !outcome.failed
      ? "succeeded"
      : undefined
    if (counted === undefined || this.triggered) return { halt: undefined, counted }
    const reached = policy.on === "fail"
      ? this.failed
      : policy.on === "success"
      ? this.completed - this.failed
      : this.completed
    const needed = policy.threshold._tag === "Count"
      ? policy.threshold.count
      : this.total() * policy.threshold.percent / 100
    if (reached < needed) return { halt: undefined, counted }
    this.triggered = true
    if (policy.on === "success") {
      this.haltStatus = 0
    } else if (policy.threshold._tag === "Percent") {
      this.haltStatus = Math.ceil(this.failed / Math.max(this.total(), 1) * 100)
    } else if (policy.threshold.count === 1) {
      this.haltStatus = shellStatus(outcome)
    } else {
      // GNU parallel 20221122 takes min(failed, 101) with its failure count still undefined when no job
      // has failed, and its min skips undefined: a `done=N` halt with no failure exits 101.
      this.haltStatus = this.failed === 0 ? 101 : Math.min(this.failed, 101)
    }
    return { halt: policy.when, counted }
  }

  /** The batch's exit status: 0 all succeeded, 1–100 that many failed, 101 more; as set by a halt. */
  exitStatus(): number {
    if (this.haltStatus !== undefined) return this.haltStatus
    if (this.policy.when !== "never" && this.policy.threshold._tag === "Percent") {
      return Math.ceil(this.failed / Math.max(this.started, 1) * 100)
    }
    return Math.min(this.failed, 101)
  }
}
