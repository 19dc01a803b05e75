/**
 * The problem fanout comes from: run a list of shell commands in parallel, at
 * most N at a time, wait for all of them, and leave nothing running.
 *
 * A shared WorkerPool (3 slots) runs each command with a plain
 * node:child_process spawn wrapped in an Effect; interrupting a task kills its
 * command. (The real shell support, with process groups and a termination
 * sequence, is @fanout/shell and the `fanout` CLI.)
 *
 *   npx tsx examples/shell-commands.ts
 */
import { WorkerPool } from "@fanout/pool"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"

const commands = [
  "echo one",
  "sleep 0.3; echo two",
  "echo three; sleep 0.1",
  "sleep 0.2 && echo four",
  "printf 'five\\n'",
  "echo six >&2"
]

/** Runs `/bin/sh -c command`, collecting its output; interruption kills it. */
const sh = (command: string) =>
  Effect.async<{ readonly code: number | null; readonly output: string }>((resume) => {
    const child = spawn("/bin/sh", ["-c", command], { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    child.on("close", (code) => resume(Effect.succeed({ code, output })))
    return Effect.sync(() => child.kill("SIGTERM"))
  })

/** How many commands run right now, and the most that ever ran at once. */
const load = { now: 0, peak: 0 }
const counted = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => load.peak = Math.max(load.peak, ++load.now)),
    () => self,
    () => Effect.sync(() => load.now--)
  )

const program = Effect.gen(function*() {
  const pool = yield* WorkerPool.make({ concurrency: 3 })
  const started = Date.now()
  const results = yield* Effect.forEach(
    commands,
    (command) =>
      pool.submit(counted(sh(command)), { label: command }).pipe(
        Effect.tap(({ code, output }) =>
          Console.log(`[${String(Date.now() - started).padStart(4)} ms] exit ${code}  ${command}  ->  ${output.trim()}`)
        )
      ),
    { concurrency: "unbounded" }
  )
  const stats = yield* pool.stats
  yield* Console.log(
    `${results.length} commands, ${stats.succeeded} done, at most ${load.peak} at a time (limit ` +
      `${stats.concurrency}), ${Date.now() - started} ms in all`
  )
})

Effect.runPromise(Effect.scoped(program))
