import * as Effect from "effect/Effect"
import { execFileSync } from "node:child_process"
import type { JobOutput, JobRecord } from "../../src/Output.js"

/** Pids of live processes whose command line contains `pattern` (zombies excluded). */
export const livePids = (pattern: string): Array<number> => {
  const table = execFileSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" })
  return table.split("\n").flatMap((line) => {
    const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line)
    if (match === null || match[2].startsWith("Z") || !match[3].includes(pattern)) return []
    if (match[3].startsWith("ps ")) return []
    return [Number(match[1])]
  })
}

/** Waits (up to 10 s) until `count` processes match `pattern`. */
export const awaitProcesses = (pattern: string, count: number) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 10_000
    while (livePids(pattern).length < count) {
      if (Date.now() > deadline) throw new Error(`never saw ${count} × ${pattern}`)
      yield* Effect.sleep(20)
    }
  })

/** A unique marker: a sleep duration nobody else uses, so `ps` finds only our processes. */
let counter = 0
export const marker = (): string => `${300 + process.pid % 1000}.${Date.now() % 100000}${counter++}`

export interface Collected {
  readonly stdout: Array<string>
  readonly stderr: Array<string>
  readonly ends: Array<{ readonly record: JobRecord; readonly discard: boolean }>
}

/** An in-memory JobOutput that keeps what it is fed. */
export const collectingOutput = (): JobOutput & { readonly collected: Collected } => {
  const collected: Collected = { stdout: [], stderr: [], ends: [] }
  const decoder = new TextDecoder()
  return {
    collected,
    stdout: (chunk) => Effect.sync(() => void collected.stdout.push(decoder.decode(chunk))),
    stderr: (chunk) => Effect.sync(() => void collected.stderr.push(decoder.decode(chunk))),
    end: (record, options) =>
      Effect.sync(() => void collected.ends.push({ record, discard: options?.discard ?? false }))
  }
}
