import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { PassThrough } from "node:stream"
import { Batch, type Job, Output } from "../src/index.js"
import { livePids, marker } from "./helpers/procs.js"

const specs = (commands: ReadonlyArray<string>): Array<Job.JobSpec> =>
  commands.map((command, i) => ({ seq: i + 1, command, args: [String(i + 1)], tag: `t${i + 1}` }))
const quiet = { warn: () => Effect.void }

/** Our own output, raw, to these streams. */
const rawOutput = (
  mode: Output.OutputMode,
  keepOrder: boolean,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream
) => Output.make({ mode, keepOrder, format: "raw", stdout, stderr })

const sink = () => {
  const stream = new PassThrough()
  const chunks: Array<Buffer> = []
  stream.on("data", (chunk: Buffer) => chunks.push(chunk))
  return { stream, text: () => Buffer.concat(chunks).toString() }
}

describe("Batch.run with Output", () => {
  it.scopedLive("feeds each job's output through Output; retried attempts are discarded", () =>
    Effect.gen(function*() {
      const stdout = sink()
      const stderr = sink()
      const output = yield* rawOutput("group", true, stdout.stream, stderr.stream)
      const summary = yield* Batch.run(
        specs(["sleep 0.2; echo one", "echo two; echo oops >&2; exit 1", "echo three"]),
        { jobs: 3, retries: 2, output, ...quiet }
      )
      expect(summary.exitStatus).toBe(1)
      expect(stdout.text()).toBe("t1\tone\nt2\ttwo\nt3\tthree\n")
      expect(stderr.text()).toBe("t2\toops\n")
    }))

  it.scopedLive("an Output of one's own is opened in a Scope for each attempt, closed as the attempt ends", () =>
    Effect.gen(function*() {
      const stdout = sink()
      const inner = yield* rawOutput("group", false, stdout.stream, sink().stream)
      const events: Array<string> = []
      const output: Output.Output = {
        open: (job) =>
          Effect.tap(inner.open(job), () =>
            Effect.zipRight(
              Effect.sync(() => events.push(`open ${job.seq}`)),
              Effect.addFinalizer(() => Effect.sync(() => events.push(`close ${job.seq}`)))
            )),
        isHeld: inner.isHeld,
        onPrinted: inner.onPrinted,
        skip: inner.skip,
        finish: inner.finish
      }
      const summary = yield* Batch.run(specs(["echo one", "echo two; exit 3"]), {
        jobs: 1,
        retries: 2,
        output,
        ...quiet
      })
      expect(summary.failed).toBe(1)
      expect(events).toEqual(["open 1", "close 1", "open 2", "close 2", "open 2", "close 2"])
      expect(stdout.text()).toBe("t1\tone\nt2\ttwo\n")
    }))

  it.scopedLive("stops quietly when our stdout's reader goes away", () =>
    Effect.gen(function*() {
      const m = marker()
      const stdout = new PassThrough()
      stdout.destroy(Object.assign(new Error("EPIPE"), { code: "EPIPE" }))
      const output = yield* rawOutput("ungroup", false, stdout, sink().stream)
      const summary = yield* Batch.run(
        specs([`echo x; sleep ${m}`, `echo y; sleep ${m}`, "echo z"]),
        { jobs: 2, output, ...quiet }
      )
      expect(summary.stoppedBy).toBe("output-closed")
      expect(livePids(m)).toEqual([])
    }))
})
