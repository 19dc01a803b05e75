/**
 * A failure stops the batch: applyInParallel interrupts the calls still
 * running, waits until they are really gone, and only then fails — so when the
 * error reaches you, nothing is left running (here: no `sleep` process).
 *
 *   npx tsx examples/fail-fast.ts
 */
import { applyInParallel } from "@fanout/pool"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { execFileSync, spawn } from "node:child_process"

/** Runs `sleep seconds` as a child process; interruption kills it and waits for its exit. */
const sleepProcess = (id: number, seconds: number) =>
  Effect.async<void, string>((resume) => {
    const child = spawn("sleep", [String(seconds)], { stdio: "ignore" })
    child.on("exit", (code, signal) =>
      resume(code === 0 ? Effect.void : Effect.fail(`task ${id}: sleep ended by ${signal ?? code}`)))
    return Effect.async<void>((done) => {
      child.once("exit", () =>
        done(Effect.void))
      child.kill("SIGTERM")
    }).pipe(Effect.zipRight(Console.log(`  task ${id}: interrupted, its sleep process is gone`)))
  })

const task = (id: number) =>
  id === 3
    ? Effect.sleep("200 millis").pipe(
      Effect.zipRight(Console.log(`  task ${id}: failing`)),
      Effect.zipRight(Effect.fail(`task ${id} failed`))
    )
    : Console.log(`  task ${id}: started`).pipe(Effect.zipRight(sleepProcess(id, 30)))

const sleepsAlive = () => {
  try {
    return execFileSync("pgrep", ["-P", String(process.pid), "sleep"], { encoding: "utf8" }).trim().split("\n").length
  } catch {
    return 0
  }
}

const program = Effect.gen(function*() {
  yield* Console.log("10 tasks, 4 at a time; task 3 fails after 200 ms, the others would sleep 30 s")
  const exit = yield* Effect.exit(applyInParallel(Array.from({ length: 10 }, (_, i) => i), task, { concurrency: 4 }))
  yield* Console.log(
    `result: ${
      Exit.match(exit, {
        onFailure: (cause) => `failed (${Cause.pretty(cause)})`,
        onSuccess: () => "succeeded"
      })
    }`
  )
  yield* Console.log(`sleep processes still running: ${sleepsAlive()}`)
})

Effect.runPromise(program)
