import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { pipe } from "effect/Function"
import { Job, Output, TermSeq } from "../src/index.js"
import { execPrefixed } from "../src/internal/commandLine.js"
import { failure, spec } from "./helpers/jobs.js"
import { awaitProcesses, collectingOutput, livePids, marker } from "./helpers/procs.js"

describe("Job.run", () => {
  it.live("runs a command line in the shell and reports the result", () =>
    Effect.gen(function*() {
      const output = collectingOutput()
      const before = Date.now()
      const result = yield* Job.run(
        {
          seq: 7,
          command: "echo $PARALLEL_SEQ $PARALLEL_JOBSLOT $FANOUT_SEQ $FANOUT_SLOT $X; echo err >&2",
          args: ["a"],
          env: { X: "x" }
        },
        { slot: 3, output }
      )
      expect(output.collected.stdout.join("")).toBe("7 3 7 3 x\n")
      expect(output.collected.stderr.join("")).toBe("err\n")
      expect(result).toMatchObject({
        seq: 7,
        slot: 3,
        args: ["a"],
        exitCode: 0,
        signal: null,
        timedOut: false,
        attempts: 1,
        stdoutBytes: 10,
        stderrBytes: 4
      })
      expect(result.start).toBeGreaterThanOrEqual(before)
      expect(result.runtime).toBeGreaterThanOrEqual(0)
      expect(output.collected.ends).toEqual([{
        record: {
          seq: 7,
          args: ["a"],
          command: result.command,
          exit: 0,
          signal: null,
          start: result.start,
          runtime: result.runtime,
          timedOut: false
        },
        discard: false
      }])
    }))

  it.live("takes its spec first or last (data-last for pipes)", () =>
    Effect.gen(function*() {
      const last = yield* pipe(spec("exit 0", 4), Job.run({ slot: 2 }))
      expect(last).toMatchObject({ seq: 4, slot: 2, exitCode: 0 })
      const bare = yield* pipe(spec("exit 0", 5), Job.run())
      expect(bare).toMatchObject({ seq: 5, slot: 1 })
      expect(yield* Job.run(spec("exit 0", 6))).toMatchObject({ seq: 6, slot: 1 })
    }))

  it.live("runs an argv with no shell", () =>
    Effect.gen(function*() {
      const output = collectingOutput()
      const result = yield* Job.run(spec(["printf", "%s|", "a b", "$HOME"]), { output })
      expect(output.collected.stdout.join("")).toBe("a b|$HOME|")
      expect(result.command).toBe("printf '%s|' 'a b' '$HOME'")
    }))

  it.live("fails with JobExitError carrying the result on a non-zero exit", () =>
    Effect.gen(function*() {
      const error = failure(yield* Effect.exit(Job.run(spec("exit 3"))))
      expect(error._tag).toBe("JobExitError")
      if (error._tag === "JobExitError") expect(error.result.exitCode).toBe(3)
    }))

  it.live("fails with JobSignalError when the job dies by a signal", () =>
    Effect.gen(function*() {
      const error = failure(yield* Effect.exit(Job.run(spec("kill -USR1 $$"))))
      expect(error._tag).toBe("JobSignalError")
      if (error._tag === "JobSignalError") {
        expect(error.result.signal).toBe("SIGUSR1")
        expect(error.result.exitCode).toBe(null)
      }
    }))

  it.live("fails with JobSpawnError when the program does not exist", () =>
    Effect.gen(function*() {
      const error = failure(yield* Effect.exit(Job.run(spec(["/nonexistent/fanout-test-program"]))))
      expect(error._tag).toBe("JobSpawnError")
      if (error._tag === "JobSpawnError") {
        expect(error.code).toBe("ENOENT")
        expect(error.result.exitCode).toBe(127)
      }
    }))

  it.live("terminates background children of a job that exits 0", () =>
    Effect.gen(function*() {
      const m = marker()
      const started = Date.now()
      const result = yield* Job.run(spec(`sleep ${m} & sh -c 'sleep ${m}' & echo started`))
      expect(result.exitCode).toBe(0)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(livePids(m)).toEqual([])
    }))

  it.live("interruption kills a TERM-ignoring group with grandchildren and returns only when it is gone", () =>
    Effect.gen(function*() {
      const m = marker()
      const fiber = yield* Effect.fork(
        Job.run(spec(`trap '' TERM; sh -c 'sleep ${m}; true' & sleep ${m} & wait`))
      )
      yield* awaitProcesses(`sleep ${m}`, 2)
      const started = Date.now()
      yield* Fiber.interrupt(fiber)
      const took = Date.now() - started
      expect(livePids(m)).toEqual([])
      // TERM,200,TERM,100,TERM,50 were ignored; KILL ended it.
      expect(took).toBeGreaterThanOrEqual(340)
      expect(took).toBeLessThan(5_000)
    }))

  it.live("a timeout terminates the group and fails with JobTimeoutError", () =>
    Effect.gen(function*() {
      const m = marker()
      const started = Date.now()
      const error = failure(
        yield* Effect.exit(Job.run(spec(`sleep ${m} & sleep ${m}; true`), { timeout: "300 millis" }))
      )
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(error._tag).toBe("JobTimeoutError")
      if (error._tag === "JobTimeoutError") {
        expect(error.result.timedOut).toBe(true)
        expect(error.result.signal).toBe("SIGTERM")
        expect(error.result.runtime).toBeGreaterThanOrEqual(290)
        expect(Duration.toMillis(error.after)).toBe(300)
      }
      expect(livePids(m)).toEqual([])
    }))

  it.live("a timeout on a job that ignores TERM ends with KILL", () =>
    Effect.gen(function*() {
      const m = marker()
      const error = failure(
        yield* Effect.exit(Job.run(spec(`trap '' TERM; sleep ${m}; true`), { timeout: "100 millis" }))
      )
      expect(error._tag).toBe("JobTimeoutError")
      if (error._tag === "JobTimeoutError") expect(error.result.signal).toBe("SIGKILL")
      expect(livePids(m)).toEqual([])
    }))

  it.live("uses the given termination sequence", () =>
    Effect.gen(function*() {
      const termSeq = Either.getOrThrow(TermSeq.parse("USR1,200,KILL,25"))
      const error = failure(
        yield* Effect.exit(Job.run(spec(`sleep ${marker()}; true`), { timeout: "100 millis", termSeq }))
      )
      if (error._tag !== "JobTimeoutError") throw new Error(error._tag)
      expect(error.result.signal).toBe("SIGUSR1")
    }))

  it.live("runs with the chosen shell", () =>
    Effect.gen(function*() {
      const output = collectingOutput()
      yield* Job.run(spec("echo ${BASH_VERSION:+bash}"), { shell: "/bin/bash", output })
      expect(output.collected.stdout.join("")).toBe("bash\n")
    }))

  it.live("under /bin/sh a lone program replaces the shell; lists, builtins and assignments still run in it", () =>
    Effect.gen(function*() {
      // /proc/$$/comm names the process holding the shell's pid: the program itself once exec'd
      const program = collectingOutput()
      yield* Job.run(spec("cat /proc/$$/comm"), { output: program })
      expect(program.collected.stdout.join("")).toBe("cat\n")
      const list = collectingOutput()
      yield* Job.run(spec("cat /proc/$$/comm; cd / && X=1 printenv X"), { output: list })
      expect(list.collected.stdout.join("")).toMatch(/^(sh|dash)\n1\n$/)
    }))

  it.live("a grandchild that left the group with setsid cannot hold the job open: its pipes are cut after a grace", () =>
    Effect.gen(function*() {
      const m = marker()
      const output = collectingOutput()
      const started = Date.now()
      const result = yield* Job.run(spec(`setsid sleep ${m} & echo done`), { output }).pipe(
        Effect.ensuring(Effect.sync(() => livePids(`sleep ${m}`).forEach((pid) => process.kill(pid, "SIGKILL"))))
      )
      expect(result.exitCode).toBe(0)
      expect(output.collected.stdout.join("")).toBe("done\n")
      expect(Date.now() - started).toBeLessThan(5_000)
    }))

  it.live("a slow output sink slows the job down instead of losing bytes", () =>
    Effect.gen(function*() {
      const chunks: Array<number> = []
      let bytes = 0
      const slow = collectingOutput()
      const output = {
        ...slow,
        stdout: (chunk: Uint8Array) =>
          Effect.zipRight(Effect.sleep(2), Effect.sync(() => void (chunks.push(chunk.length), bytes += chunk.length)))
      }
      const result = yield* Job.run(spec("head -c 3000000 /dev/zero"), { output })
      expect(bytes).toBe(3_000_000)
      expect(result.stdoutBytes).toBe(3_000_000)
      expect(chunks.length).toBeGreaterThan(1)
    }))

  it.live("when our own output closes, the job's group is terminated and the run fails with OutputClosedError", () =>
    Effect.gen(function*() {
      const m = marker()
      const output = { ...collectingOutput(), stdout: () => Effect.fail(new Output.OutputClosedError()) }
      const started = Date.now()
      const exit = yield* Effect.exit(Job.run(spec(`yes ${m}`), { output }))
      expect(exit).toEqual(Exit.fail(new Output.OutputClosedError()))
      expect(livePids(`yes ${m}`)).toEqual([])
      expect(Date.now() - started).toBeLessThan(5_000)
    }))

  it.live("discards the output of a failed attempt when asked", () =>
    Effect.gen(function*() {
      const output = collectingOutput()
      yield* Effect.exit(Job.run(spec("echo no; exit 1"), { output, discardOutputOnFailure: true }))
      expect(output.collected.ends[0].discard).toBe(true)
    }))
})

describe("execPrefixed", () => {
  it("puts exec before one simple command that runs a program, under sh or dash only", () => {
    expect(execPrefixed("sleep 0.01", "/bin/sh")).toBe("exec sleep 0.01")
    expect(execPrefixed("grep -c $X 'a b' *.txt", "/usr/bin/dash")).toBe("exec grep -c $X 'a b' *.txt")
    const asWritten = [
      ...["echo hi", "true 1", "cd /tmp", "exec ls", "X=1 env", "a | b", "a; b", "a && b", "a & b", "a > f", "a < f"],
      ...["(a)", "{ a; }", "$CMD x", "'my prog' x", "if true; then a; fi", "a\nb", "! a", "`a` b", "a $(b)", "-x y", ""]
    ]
    for (const line of asWritten) expect(execPrefixed(line, "/bin/sh")).toBe(line)
    expect(execPrefixed("sleep 1", "/bin/bash")).toBe("sleep 1")
  })
})

describe("TermSeq.parse", () => {
  it("parses signal names with or without SIG, and numbers", () => {
    expect(TermSeq.parse("TERM,200,SIGINT,10,9,25")).toEqual(Either.right({
      steps: [{ signal: "SIGTERM", waitMs: 200 }, { signal: "SIGINT", waitMs: 10 }, { signal: "SIGKILL", waitMs: 25 }]
    }))
  })

  it("says which item is wrong", () => {
    expect(Either.flip(TermSeq.parse("TERM,200,NOPE,10")).pipe(Either.map((e) => [e.problem, e.item]))).toEqual(
      Either.right(["signal", "NOPE"])
    )
    expect(Either.flip(TermSeq.parse("TERM,x")).pipe(Either.map((e) => [e.problem, e.item]))).toEqual(
      Either.right(["wait", "x"])
    )
  })

  it("rejects bad input with a one-line message naming the value", () => {
    for (const bad of ["", "TERM", "TERM,x", "NOPE,10", "TERM,-1", "TERM,1.5"]) {
      const result = TermSeq.parse(bad)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left.message).toContain(`"${bad}"`)
        expect(result.left.message).not.toContain("\n")
      }
    }
  })
})
