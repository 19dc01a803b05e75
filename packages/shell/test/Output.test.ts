import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Writable } from "node:stream"
import * as Output from "../src/Output.js"

const bytes = (s: string) => new TextEncoder().encode(s)

/** A stream that keeps what it is given; `delayMs` makes it a slow reader. */
const collector = (options: { highWaterMark?: number; delayMs?: number } = {}) => {
  const chunks: Array<Buffer> = []
  let maxBuffered = 0
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk))
      if (options.delayMs === undefined) callback()
      else setTimeout(callback, options.delayMs)
    }
  })
  const write = stream.write.bind(stream)
  stream.write = ((...args: Parameters<typeof write>) => {
    const ok = write(...args)
    maxBuffered = Math.max(maxBuffered, stream.writableLength)
    return ok
  }) as typeof stream.write
  return {
    stream,
    text: () => Buffer.concat(chunks).toString(),
    bytes: () => Buffer.concat(chunks),
    maxBuffered: () => maxBuffered
  }
}

const record = (seq: number, command = `job ${seq}`): Output.JobRecord => ({
  seq,
  args: [String(seq)],
  command,
  exit: 0,
  signal: null,
  start: 1000,
  runtime: 5
})

const setup = (options: Partial<Output.OutputOptions> & { mode: Output.OutputMode }) =>
  Effect.gen(function*() {
    const out = collector()
    const err = collector()
    const output = yield* Output.make({
      keepOrder: false,
      format: "raw",
      ...options,
      stdout: out.stream,
      stderr: err.stream
    })
    return { output, out, err }
  })

const tmpdir = () => fs.mkdtempSync(path.join(os.tmpdir(), "fanout-output-test-"))

describe("Output group", () => {
  it.scoped("writes each job whole when it ends, stdout and stderr apart", () =>
    Effect.gen(function*() {
      const { err, out, output } = yield* setup({ mode: "group" })
      const a = yield* output.open({ seq: 1 })
      const b = yield* output.open({ seq: 2 })
      for (let i = 0; i < 3; i++) {
        yield* a.stdout(bytes(`a${i}\n`))
        yield* b.stdout(bytes(`b${i}\n`))
        yield* a.stderr(bytes(`A${i}\n`))
        yield* b.stderr(bytes(`B${i}\n`))
      }
      expect(out.text()).toBe("")
      yield* b.end(record(2))
      yield* a.end(record(1))
      yield* output.finish
      expect(out.text()).toBe("b0\nb1\nb2\na0\na1\na2\n")
      expect(err.text()).toBe("B0\nB1\nB2\nA0\nA1\nA2\n")
    }))

  it.scoped("tags every line like GNU parallel: the last one without newline too, empty output not at all", () =>
    Effect.gen(function*() {
      const { err, out, output } = yield* setup({ mode: "group" })
      const a = yield* output.open({ seq: 1, tag: "x" })
      yield* a.stdout(bytes("a\nb"))
      yield* a.stderr(bytes("a\n\nb\n"))
      yield* a.end(record(1))
      const empty = yield* output.open({ seq: 2, tag: "y" })
      yield* empty.end(record(2))
      expect(out.text()).toBe("x\ta\nx\tb")
      expect(err.text()).toBe("x\ta\nx\t\nx\tb\n")
    }))

  it.scoped(
    "a tagged line cut between chunks is tagged once; an ended job waits for a slow reader to drain",
    () =>
      Effect.gen(function*() {
        const slow = collector({ highWaterMark: 1024, delayMs: 1 })
        const output = yield* Output.make({ mode: "group", keepOrder: false, format: "raw", stdout: slow.stream })
        const jobs = [yield* output.open({ seq: 1, tag: "a" }), yield* output.open({ seq: 2, tag: "b" })]
        for (const [i, job] of jobs.entries()) {
          yield* job.stdout(bytes(`${"x".repeat(3000)}\nhalf`))
          yield* job.stdout(bytes(` line ${i + 1}\n`))
        }
        // both end at once: each job's output whole, and neither end returns before the stream drained
        yield* Effect.forEach(jobs, (job, i) =>
          Effect.andThen(job.end(record(i + 1)), () => {
            expect(slow.stream.writableNeedDrain).toBe(false)
          }), { concurrency: 2, discard: true })
        yield* output.finish
        const x = "x".repeat(3000)
        expect(slow.text()).toBe(`a\t${x}\na\thalf line 1\nb\t${x}\nb\thalf line 2\n`)
      }),
    { timeout: 20_000 }
  )

  it.scoped("spills past the threshold to a file that is already unlinked, and writes it back intact", () =>
    Effect.gen(function*() {
      const dir = tmpdir()
      const { out, output } = yield* setup({ mode: "group", spillThreshold: 100, tmpdir: dir })
      const job = yield* output.open({ seq: 1, tag: "t" })
      let expected = ""
      for (let i = 0; i < 5000; i++) {
        yield* job.stdout(bytes(`line ${i}\n`))
        expected += `t\tline ${i}\n`
      }
      expect(fs.readdirSync(dir)).toEqual([])
      const fds = fs.readdirSync("/proc/self/fd").length
      yield* job.end(record(1))
      expect(out.text()).toBe(expected)
      expect(fs.readdirSync("/proc/self/fd").length).toBe(fds - 1)
    }))

  it.scoped("discard drops a failed attempt; the retry prints", () =>
    Effect.gen(function*() {
      const { out, output } = yield* setup({ mode: "group", keepOrder: true, spillThreshold: 4 })
      const first = yield* output.open({ seq: 1 })
      yield* first.stdout(bytes("first attempt\n"))
      yield* first.end(record(1), { discard: true })
      const second = yield* output.open({ seq: 1 })
      yield* second.stdout(bytes("second attempt\n"))
      yield* second.end(record(1))
      expect(out.text()).toBe("second attempt\n")
    }))
})

describe("Output line", () => {
  it.scoped("writes whole lines as they come and the last unterminated line at the end", () =>
    Effect.gen(function*() {
      const { out, output } = yield* setup({ mode: "line" })
      const a = yield* output.open({ seq: 1, tag: "a" })
      const b = yield* output.open({ seq: 2 })
      yield* a.stdout(bytes("x"))
      yield* a.stdout(bytes("y"))
      expect(out.text()).toBe("")
      yield* b.stdout(bytes("b1\nb2"))
      expect(out.text()).toBe("b1\n")
      yield* a.stdout(bytes("z\nw\nlast"))
      expect(out.text()).toBe("b1\na\txyz\na\tw\n")
      yield* a.end(record(1))
      expect(out.text()).toBe("b1\na\txyz\na\tw\na\tlast")
      yield* b.end(record(2))
      expect(out.text()).toBe("b1\na\txyz\na\tw\na\tlastb2")
    }))

  it.scoped("a long line spills and is never cut by other jobs' lines", () =>
    Effect.gen(function*() {
      const { out, output } = yield* setup({ mode: "line", spillThreshold: 64, tmpdir: tmpdir() })
      const long = yield* output.open({ seq: 1, tag: "L" })
      const short = yield* output.open({ seq: 2, tag: "S" })
      const piece = "0123456789".repeat(10)
      for (let i = 0; i < 200; i++) {
        yield* long.stdout(bytes(piece))
        yield* short.stdout(bytes(`s${i}\n`))
      }
      yield* long.stdout(bytes("\n"))
      yield* long.end(record(1))
      yield* short.end(record(2))
      const lines = out.text().split("\n")
      expect(lines).toContain(`L\t${piece.repeat(200)}`)
      expect(lines.filter((line) => line.startsWith("S\t"))).toHaveLength(200)
    }))

  it.scoped("keepOrder: the job whose turn it is writes live, the next one buffers until then", () =>
    Effect.gen(function*() {
      const { out, output } = yield* setup({ mode: "line", keepOrder: true })
      const one = yield* output.open({ seq: 1 })
      const two = yield* output.open({ seq: 2 })
      const three = yield* output.open({ seq: 3 })
      yield* two.stdout(bytes("2a\n"))
      yield* three.stdout(bytes("3a\n"))
      yield* one.stdout(bytes("1a\n"))
      expect(out.text()).toBe("1a\n")
      yield* three.end(record(3))
      yield* one.stdout(bytes("1b"))
      yield* one.end(record(1))
      expect(out.text()).toBe("1a\n1b2a\n")
      yield* two.stdout(bytes("2b\n"))
      expect(out.text()).toBe("1a\n1b2a\n2b\n")
      yield* two.end(record(2))
      expect(out.text()).toBe("1a\n1b2a\n2b\n3a\n")
    }))
})

describe("Output ungroup", () => {
  it.scoped("passes bytes through at once; tag and keepOrder do not apply (as with parallel -u)", () =>
    Effect.gen(function*() {
      const { err, out, output } = yield* setup({ mode: "ungroup", keepOrder: true })
      const two = yield* output.open({ seq: 2, tag: "t" })
      yield* two.stdout(bytes("par"))
      yield* two.stderr(bytes("e"))
      expect(out.text()).toBe("par")
      yield* two.stdout(bytes("tial\n"))
      yield* two.end(record(2))
      yield* output.finish
      expect(out.text()).toBe("partial\n")
      expect(err.text()).toBe("e")
    }))

  it.scoped("waits for drain instead of queueing everything when the reader is slow", () =>
    Effect.gen(function*() {
      const slow = collector({ highWaterMark: 16 * 1024, delayMs: 1 })
      const output = yield* Output.make({ mode: "ungroup", keepOrder: false, format: "raw", stdout: slow.stream })
      const job = yield* output.open({ seq: 1 })
      const chunk = new Uint8Array(64 * 1024).fill(97)
      for (let i = 0; i < 64; i++) yield* job.stdout(chunk)
      yield* output.finish
      expect(slow.bytes().length).toBe(64 * 64 * 1024)
      expect(slow.maxBuffered()).toBeLessThanOrEqual(16 * 1024 + 64 * 1024)
    }), { timeout: 20_000 })
})

describe("Output keepOrder", () => {
  it.scoped("prints in seq order whatever order jobs end in, skipping skipped seqs", () =>
    Effect.gen(function*() {
      const { out, output } = yield* setup({ mode: "group", keepOrder: true, spillThreshold: 8, tmpdir: tmpdir() })
      const jobs = new Map<number, Output.JobOutput>()
      for (const seq of [1, 3, 5, 6]) {
        const job = yield* output.open({ seq })
        yield* job.stdout(bytes(`job ${seq} says something long enough to spill\n`))
        jobs.set(seq, job)
      }
      yield* jobs.get(3)!.end(record(3))
      yield* jobs.get(6)!.end(record(6))
      expect(out.text()).toBe("")
      yield* output.skip(2)
      yield* jobs.get(1)!.end(record(1))
      expect(out.text()).toBe("job 1 says something long enough to spill\njob 3 says something long enough to spill\n")
      yield* jobs.get(5)!.end(record(5))
      expect(out.text().split("\n").map((line) => line.slice(0, 5))).toEqual(["job 1", "job 3", ""])
      // seq 4 never comes: finish writes 5 and 6 anyway.
      yield* output.finish
      expect(out.text().split("\n").map((line) => line.slice(0, 5))).toEqual(["job 1", "job 3", "job 5", "job 6", ""])
    }))

  it.effect("the backlog is held as spill files, and closing the Output's scope releases them", () =>
    Effect.gen(function*() {
      const out = collector()
      const fds = fs.readdirSync("/proc/self/fd").length
      yield* Effect.scoped(Effect.gen(function*() {
        const output = yield* Output.make({
          mode: "group",
          keepOrder: true,
          format: "raw",
          spillThreshold: 1024,
          tmpdir: tmpdir(),
          stdout: out.stream
        })
        for (let seq = 2; seq <= 41; seq++) {
          yield* Effect.scoped(Effect.gen(function*() {
            const job = yield* output.open({ seq })
            yield* job.stdout(new Uint8Array(1000).fill(120))
            yield* job.end(record(seq))
          }))
        }
        // 40 jobs × 1000 bytes: 16 thresholds (16 KiB) stay in memory, the rest is in files.
        const held = fs.readdirSync("/proc/self/fd").length - fds
        expect(held).toBeGreaterThanOrEqual(24)
        expect(held).toBeLessThanOrEqual(40)
      }))
      expect(out.bytes().length).toBe(0)
      expect(fs.readdirSync("/proc/self/fd").length).toBe(fds)
    }))
})

describe("Output json", () => {
  it.scoped("one object per job, in seq order, with invalid UTF-8 kept exactly in *_base64", () =>
    Effect.gen(function*() {
      const { out, output } = yield* setup({ mode: "line", keepOrder: true, format: "json", spillThreshold: 16 })
      const one = yield* output.open({ seq: 1, tag: "ignored" })
      const two = yield* output.open({ seq: 2 })
      yield* two.stdout(bytes("héllo\n"))
      yield* two.stderr(new Uint8Array([0x66, 0xff, 0x0a]))
      yield* two.end({ ...record(2, "printf x"), exit: null, signal: "SIGTERM" })
      expect(out.text()).toBe("")
      const big = "y".repeat(10_000) + "\n"
      yield* one.stdout(bytes(big))
      yield* one.end(record(1))
      const lines = out.text().split("\n")
      expect(lines).toHaveLength(3)
      expect(JSON.parse(lines[0]!)).toEqual({
        seq: 1,
        args: ["1"],
        command: "job 1",
        exit: 0,
        signal: null,
        start: 1000,
        runtime: 5,
        timedOut: false,
        stdout: big,
        stderr: ""
      })
      expect(JSON.parse(lines[1]!)).toEqual({
        seq: 2,
        args: ["2"],
        command: "printf x",
        exit: null,
        signal: "SIGTERM",
        start: 1000,
        runtime: 5,
        timedOut: false,
        stdout: "héllo\n",
        stderr: "f\uFFFD\n",
        stderr_base64: Buffer.from([0x66, 0xff, 0x0a]).toString("base64")
      })
    }))
})

describe("Output closed", () => {
  it.scoped("after EPIPE on our stdout every call fails with OutputClosedError, and nothing is thrown", () =>
    Effect.gen(function*() {
      const { out, output } = yield* setup({ mode: "line" })
      const job = yield* output.open({ seq: 1 })
      yield* job.stdout(bytes("ok\n"))
      out.stream.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))
      const results = [
        yield* Effect.exit(job.stdout(bytes("more\n"))),
        yield* Effect.exit(job.end(record(1))),
        yield* Effect.exit(output.skip(2)),
        yield* Effect.exit(output.finish)
      ]
      for (const result of results) expect(result).toEqual(Exit.fail(new Output.OutputClosedError()))
    }))
})
