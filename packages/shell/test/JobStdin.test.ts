import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Batch, Job } from "../src/index.js"
import { collectingOutput } from "./helpers/procs.js"

const run = (command: string, stdin: Job.JobStdin) =>
  Effect.gen(function*() {
    const output = collectingOutput()
    const result = yield* Job.run({ seq: 1, command, args: [] }, { output, stdin })
    return { result, stdout: output.collected.stdout.join("") }
  })

describe("Job stdin bytes", () => {
  it.live("writes one buffer, or several in order, then closes the pipe", () =>
    Effect.gen(function*() {
      expect((yield* run("cat", Buffer.from("one\n"))).stdout).toBe("one\n")
      const parts = [Buffer.from("a"), Buffer.from(""), Buffer.from("b\n"), Uint8Array.of(0xff, 0x0a)]
      const { stdout } = yield* run("od -An -c | tr -s ' '", parts)
      expect(stdout.trim()).toBe("a b \\n 377 \\n")
    }))

  it.live("streams a source as the job reads it, and calls it again for a retry", () =>
    Effect.gen(function*() {
      let calls = 0
      const produced: Array<number> = []
      const source = async function*() {
        calls++
        for (let i = 0; i < 64; i++) {
          produced.push(Date.now())
          yield Buffer.alloc(1 << 16, 120)
        }
      }
      const { stdout } = yield* run("sleep 0.3; wc -c", source)
      expect(stdout.trim()).toBe(String(64 << 16))
      // 4 MiB cannot wait in a pipe: the last chunk is read from the source only once the job reads.
      expect(produced[63] - produced[0]).toBeGreaterThan(200)
      const summary = yield* Batch.runJobs(
        [{ seq: 1, command: "wc -c; exit 3", args: [], stdin: source }],
        { jobs: 1, retries: 2 }
      )
      expect(summary.failed).toBe(1)
      expect(calls).toBe(3)
    }))

  it.live("a job that stops reading early is not an error (EPIPE is dropped, as in GNU parallel)", () =>
    Effect.gen(function*() {
      const big = Buffer.alloc(8 << 20, 120)
      const early = yield* run("head -c 3", [big, big])
      expect(early.stdout).toBe("xxx")
      expect(early.result.exitCode).toBe(0)
      const closed = yield* run("exec 0<&-; sleep 0.1; echo done", () =>
        (async function*() {
          for (let i = 0; i < 1000; i++) yield big
        })())
      expect(closed.stdout).toBe("done\n")
    }))

  it.live("a job's own stdin wins over the run's", () =>
    Effect.gen(function*() {
      const output = collectingOutput()
      yield* Job.run({ seq: 1, command: "cat", args: [], stdin: Buffer.from("spec\n") }, { output, stdin: "ignore" })
      expect(output.collected.stdout.join("")).toBe("spec\n")
    }))
})
