/** @internal */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { HelperProcess } from "./runner/helper.js"
import type { ChildOutcome, ChildRequest, Runner, RunnerLost, SpawnFailure } from "./runner/types.js"
import { inProcessRunner } from "./spawn.js"

/** @internal */
export class JobRunner extends Context.Reference<JobRunner>()("@fanout/shell/JobRunner", {
  defaultValue: (): Runner => inProcessRunner
}) {}

/** Helpers that died in a row before one ran a job to its end: past this, jobs stay in-process. */
const maxLosses = 5

/**
 * Jobs go to a helper process once it has said hello; until then (its first
 * few milliseconds), and for good when the runtime is missing or the helper
 * keeps dying, they are forked in-process. A helper that dies is replaced.
 */
class HelperRunner implements Runner {
  readonly kind = "helper"
  private current: HelperProcess | undefined
  private losses = 0
  private closed = false
  /** Why jobs are forked in-process for good. */
  unavailable: string | undefined

  constructor(private readonly perl: string) {
    this.start()
  }

  private start() {
    this.current = new HelperProcess(this.perl, () => this.onChange())
  }

  private onChange() {
    const helper = this.current
    if (helper === undefined || this.closed) return
    if (helper.ready) return
    if (helper.lost === undefined) return
    this.current = undefined
    if (++this.losses >= maxLosses || helper.lost.startsWith("cannot start")) {
      this.unavailable = helper.lost
      return
    }
    this.start()
  }

  readonly run = (request: ChildRequest): Effect.Effect<ChildOutcome, SpawnFailure | RunnerLost> =>
    Effect.suspend(() => {
      const helper = this.current
      // the helper's stdin is its control pipe: a job that reads ours is forked here
      if (helper === undefined || !helper.ready || request.stdin === "inherit") return inProcessRunner.run(request)
      return Effect.tap(helper.run(request), () => {
        this.losses = 0
      })
    })

  close(): Promise<void> {
    this.closed = true
    return this.current?.close() ?? Promise.resolve()
  }
}

/** @internal */
export const makeHelper = (options: { readonly perl?: string | undefined } = {}): Effect.Effect<
  Runner & { readonly unavailable: string | undefined },
  never,
  Scope.Scope
> =>
  Effect.acquireRelease(
    Effect.sync(() => new HelperRunner(options.perl ?? "perl")),
    (runner) => Effect.promise(() => runner.close())
  )

/** @internal */
export const layerHelper = (options: { readonly perl?: string | undefined } = {}): Layer.Layer<never> =>
  Layer.scoped(JobRunner, makeHelper(options))

/** @internal */
export const layerInProcess: Layer.Layer<never> = Layer.succeed(JobRunner, inProcessRunner)
