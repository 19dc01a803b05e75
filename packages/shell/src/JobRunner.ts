/**
 * Where jobs are forked: a service, so `Job` and `Batch` do not know which
 * runs them and a program (or a test) picks one.
 *
 * - {@link layerHelper}: a small long-lived helper process (Perl) forks every
 *   job and, when this process dies by any means — `kill -9` included — stops
 *   every job group it started with the termination sequence. It starts with
 *   the second job (or once the first has run 50 ms); jobs before it is ready
 *   are forked in-process and handed to it to guard, and all are when Perl is
 *   missing. A helper that dies fails its running jobs with
 *   `JobRunnerLostError` (their groups are terminated) and is replaced.
 * - {@link layerInProcess}: this Node process forks each job (the default
 *   when no layer is provided): no helper, and no guarantee that jobs stop if
 *   this process is killed with SIGKILL.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/jobRunner.js"
import type { Runner } from "./internal/runner/types.js"

/**
 * The service: which kind of runner it is. Its `run` is internal to `@fanout/shell`.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobRunner extends Runner {}

/**
 * The `JobRunner` service's tag; without a layer, jobs are forked in-process.
 *
 * @since 0.1.0
 * @category tags
 */
export const JobRunner: typeof internal.JobRunner = internal.JobRunner

/**
 * @since 0.1.0
 * @category models
 */
export interface HelperOptions {
  /** The Perl to run the helper with (default `perl`, looked up in PATH). */
  readonly perl?: string | undefined
  /**
   * Instead, a command that runs a helper speaking the same protocol by
   * itself (`["perl", "/path/to/helper.pl"]`, or another implementation).
   */
  readonly command?: ReadonlyArray<string> | undefined
}

/**
 * A helper-backed runner for the life of the scope; closing the scope ends the helper.
 * `unavailable` says why jobs are forked in-process for good (Perl missing), if they are.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Batch, JobRunner } from "@fanout/shell"
 *
 * const specs = ["a", "b"].map((arg, i) => ({ seq: i + 1, command: `echo ${arg}`, args: [arg] }))
 * const program = Batch.run(specs, { jobs: 2 }).pipe(Effect.provide(JobRunner.layerHelper()))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHelper: (
  options?: HelperOptions
) => Effect.Effect<JobRunner & { readonly unavailable: string | undefined }, never, Scope.Scope> = internal.makeHelper

/**
 * @since 0.1.0
 * @category layers
 */
export const layerHelper: (options?: HelperOptions) => Layer.Layer<never> = internal.layerHelper

/**
 * @since 0.1.0
 * @category layers
 */
export const layerInProcess: Layer.Layer<never> = internal.layerInProcess
