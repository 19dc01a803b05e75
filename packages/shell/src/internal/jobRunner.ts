/** @internal */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { HelperOptions } from "../JobRunner.js"
import { HelperProcess } from "./runner/helper.js"
import type { ChildOutcome, ChildRequest, Runner, RunnerLost, SpawnFailure } from "./runner/types.js"
import { inProcessRunner } from "./spawn.js"
import type { TermSeq } from "./termSeq.js"

/** @internal */
export class JobRunner extends Context.Reference<JobRunner>()("@fanout/shell/JobRunner", {
  defaultValue: (): Runner => inProcessRunner
}) {}

/** Helpers that died in a row before one ran a job to its end: past this, jobs stay in-process. */
const maxLosses = 5

/**
 * A first job still running after this long starts the helper (a second job
 * starts it at once). One short job never waits for Perl nor pays for it:
 * starting it beside `fanout true ::: 1` made that 1.29× slower here, and
 * after 10 ms still 1.17× (a loaded machine's `true` can take that long).
 */
const startAfterMs = 50

/**
 * Jobs go to a helper process once it has said hello; until then, and for
 * good when the runtime is missing or the helper keeps dying, they are forked
 * in-process. A helper that dies is replaced.
 */
class HelperRunner implements Runner {
  readonly kind = "helper"
  private current: HelperProcess | undefined
  private losses = 0
  private closed = false
  /** Groups of jobs forked in-process while no helper was ready, and the helper's guard ids for them. */
  private readonly early = new Map<number, { readonly termSeq: TermSeq; guard: number | undefined }>()
  private requests = 0
  private startTimer: NodeJS.Timeout | undefined
  /** Why jobs are forked in-process for good. */
  unavailable: string | undefined

  constructor(private readonly options: HelperOptions) {}

  private start() {
    if (this.startTimer !== undefined) clearTimeout(this.startTimer)
    this.startTimer = undefined
    if (this.current !== undefined || this.closed || this.unavailable !== undefined) return
    this.current = new HelperProcess(this.options, () => this.onChange())
  }

  private onRequest() {
    if (this.current !== undefined || this.unavailable !== undefined) return
    if (++this.requests > 1) return this.start()
    this.startTimer = setTimeout(() => this.start(), startAfterMs)
  }

  private onChange() {
    const helper = this.current
    if (helper === undefined || this.closed) return
    if (helper.ready) {
      for (const [pgid, entry] of this.early) entry.guard ??= helper.guard(pgid, entry.termSeq)
      return
    }
    if (helper.lost === undefined) return
    for (const entry of this.early.values()) entry.guard = undefined
    this.current = undefined
    this.losses = helper.completed > 0 ? 1 : this.losses + 1
    if (this.losses >= maxLosses || helper.lost.startsWith("cannot start")) {
      this.unavailable = helper.lost
      return
    }
    this.start()
  }

  readonly run = (request: ChildRequest): Effect.Effect<ChildOutcome, SpawnFailure | RunnerLost> =>
    Effect.suspend(() => {
      this.onRequest()
      const helper = this.current
      // Protocol 1 gives jobs /dev/null: a job that reads ours, or bytes we write (--pipe),
      // is forked here, and handed to the helper to guard like every job forked here.
      if (helper === undefined || !helper.ready || request.stdin !== "ignore") {
        return inProcessRunner.run({ ...request, group: this.guarded(request) })
      }
      return helper.run(request)
    })

  /**
   * A job forked here while the helper starts is handed to it to guard once
   * it is ready, so a kill -9 a moment later still stops it.
   */
  private guarded(request: ChildRequest): ChildRequest["group"] {
    return {
      started: (pgid) => {
        const helper = this.current
        this.early.set(pgid, {
          termSeq: request.termSeq,
          guard: helper?.ready === true ? helper.guard(pgid, request.termSeq) : undefined
        })
      },
      ended: (pgid) => {
        const guard = this.early.get(pgid)?.guard
        this.early.delete(pgid)
        if (guard !== undefined) this.current?.unguard(guard)
      }
    }
  }

  close(): Promise<void> {
    this.closed = true
    if (this.startTimer !== undefined) clearTimeout(this.startTimer)
    return this.current?.close() ?? Promise.resolve()
  }
}

/** @internal */
export const makeHelper = (options: HelperOptions = {}): Effect.Effect<
  Runner & { readonly unavailable: string | undefined },
  never,
  Scope.Scope
> =>
  Effect.acquireRelease(
    Effect.sync(() => new HelperRunner(options)),
    (runner) => Effect.promise(() => runner.close())
  )

/** @internal */
export const layerHelper = (options: HelperOptions = {}): Layer.Layer<never> =>
  Layer.scoped(JobRunner, makeHelper(options))

/** @internal */
export const layerInProcess: Layer.Layer<never> = Layer.succeed(JobRunner, inProcessRunner)
