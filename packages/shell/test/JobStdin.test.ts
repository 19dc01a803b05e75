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
      const summary = yield* Batch.run(
        [{ seq: 1, command: "wc -c; exit 3", args: [], stdin: source }],
        { jobs: 1, retries: 2 }
      )
      expect(summary.failed).toBe(1)
      expect(calls).toBe(3)
    }))

  it.live("a job that leaves part of its stdin unread ends as killed by SIGPIPE, as under GNU parallel", () =>
    Effect.gen(function*() {
      const big = Buffer.alloc(8 << 20, 120)
      const output = collectingOutput()
      const early = yield* Effect.flip(
        Job.run({ seq: 1, command: "head -c 3", args: [] }, { output, stdin: [big, big] })
      )
      expect(output.collected.stdout.join("")).toBe("xxx")
      expect(early).toBeInstanceOf(Job.JobSignalError)
      expect((early as Job.JobSignalError).result).toMatchObject({ exitCode: null, signal: "SIGPIPE" })
      const endless = () =>
        (async function*() {
          for (;;) yield big
        })()
      const closed = yield* Effect.flip(run("exec 0<&-; sleep 0.1; echo done", endless))
      expect((closed as Job.JobSignalError).result).toMatchObject({ signal: "SIGPIPE" })
      // what fits in the pipe counts as taken
      expect((yield* run("sleep 0.1", Buffer.from("small\n"))).result.exitCode).toBe(0)
    }))

  it.live("a job's own stdin wins over the run's", () =>
    Effect.gen(function*() {
      const output = collectingOutput()
      yield* Job.run({ seq: 1, command: "cat", args: [], stdin: Buffer.from("spec\n") }, { output, stdin: "ignore" })
      expect(output.collected.stdout.join("")).toBe("spec\n")
    }))
})
