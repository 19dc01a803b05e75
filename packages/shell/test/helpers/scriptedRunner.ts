import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { JobRunner } from "../../src/index.js"

/**
 * A `JobRunner` for the batch's timing tests: it forks nothing. A job's command
 * `"MS:CODE"` runs for MS milliseconds of the `Clock` and exits with CODE, so a
 * test under `TestClock` decides when each job ends. Its timer and
 * interruption work as a real runner's: the timer firing ends the job as
 * killed by SIGTERM, after the time it was allowed.
 */
export const scriptedRunner = () => {
  const starts: Array<{ readonly seq: string; readonly at: number }> = []
  const runner: JobRunner.JobRunner = {
    kind: "in-process",
    run: (request) =>
      Effect.gen(function*() {
        const [ms, code] = String(request.command).split(":").map(Number)
        const start = yield* Clock.currentTimeMillis
        starts.push({ seq: request.extraEnv.PARALLEL_SEQ, at: start })
        const ran = Effect.as(Effect.sleep(ms), undefined)
        const timedOut = request.timer === undefined ? yield* ran : yield* Effect.raceFirst(ran, request.timer)
        const runtime = (yield* Clock.currentTimeMillis) - start
        return {
          status: timedOut === undefined ? { code, signal: null } : { code: null, signal: "SIGTERM" },
          runtime,
          timedOut: timedOut === undefined ? undefined : Duration.decode(timedOut),
          outputFailure: undefined,
          stdoutBytes: 0,
          stderrBytes: 0
        }
      })
  }
  return { runner, starts }
}
