/** @internal */
import * as Effect from "effect/Effect"
import { readdirSync, readFileSync } from "node:fs"
import type { TermSeq } from "./termSeq.js"

const hasProc = process.platform === "linux"

/** Fields of `/proc/<pid>/stat` after the command name: state, ppid, pgrp, … */
const statFields = (pid: string): Array<string> | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1")
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  } catch {
    return undefined
  }
}

const running = (pid: string, pgid: string): boolean => {
  const fields = statFields(pid)
  return fields !== undefined && fields[2] === pgid && fields[0] !== "Z" && fields[0] !== "X"
}

/**
 * Every running process of the machine by process group, read from `/proc`
 * once and shared by every group looked at in the same turn of the event loop.
 * Stopping N jobs polls N groups at once; a scan per group made that N × N
 * reads of `/proc/<pid>/stat` per poll (300 jobs took 3 s to stop, 1000 a
 * minute). A table is only reused within the turn it was read in, so an
 * answer is never older than the timers that asked.
 */
let table: Map<string, Array<string>> | undefined

const scanGroups = (): Map<string, Array<string>> => {
  if (table !== undefined) return table
  const groups = new Map<string, Array<string>>()
  for (const pid of readdirSync("/proc")) {
    if (pid.charCodeAt(0) > 57) continue
    const fields = statFields(pid)
    if (fields === undefined || fields[0] === "Z" || fields[0] === "X") continue
    const members = groups.get(fields[2])
    if (members === undefined) groups.set(fields[2], [pid])
    else members.push(pid)
  }
  table = groups
  setImmediate(() => (table = undefined))
  return groups
}

const scanMembers = (pgid: string): Array<string> => scanGroups().get(pgid) ?? []

/**
 * `kill(-pgid, 0)`: whether the group has a member (zombies included). The
 * common answer, "no such process", is an exception; it is thrown with no
 * stack trace, which is most of its cost (this runs once per job).
 */
const signalable = (pgid: number): boolean => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but is not ours to signal (a setuid member): still alive.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  } finally {
    Error.stackTraceLimit = limit
  }
}

/**
 * Whether anything is still running in a process group. `kill(-pgid, 0)`
 * answers for the common case (the group is empty); it also counts zombies,
 * and an orphaned zombie lasts until PID 1 reaps it (seconds, under some
 * container inits), so on Linux a group of zombies is read from `/proc` as
 * gone. Members found by the first scan are re-checked one by one; a full scan
 * confirms the end.
 */
const makeGroupWatch = (pgid: number): () => boolean => {
  const id = String(pgid)
  let members: Array<string> | undefined
  return () => {
    if (!signalable(pgid)) return false
    if (!hasProc) return true
    if (members !== undefined) members = members.filter((pid) => running(pid, id))
    if (members === undefined || members.length === 0) members = scanMembers(id)
    return members.length > 0
  }
}

/**
 * Whether anything is still running in the process group `pgid`, looked at once.
 *
 * @internal
 */
export const groupAlive = (pgid: number): boolean => makeGroupWatch(pgid)()

const signalGroup = (pgid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pgid, signal)
  } catch {
    // the group vanished between the check and the signal
  }
}

/**
 * Waits up to `ms` for the group to vanish. There is no event for the death of
 * a grandchild, so this polls with a growing pause (1 ms up to 10 ms); the
 * child itself is reaped by Node's SIGCHLD handler meanwhile.
 */
const awaitGone = (alive: () => boolean, ms: number): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    const deadline = Date.now() + ms
    const loop = (pause: number): Effect.Effect<boolean> => {
      if (!alive()) return Effect.succeed(true)
      const left = deadline - Date.now()
      if (left <= 0) return Effect.succeed(false)
      return Effect.flatMap(Effect.sleep(Math.min(pause, left)), () => loop(Math.min(pause * 1.5, 10)))
    }
    return loop(1)
  })

/** How long to keep sending KILL after the sequence before giving up on a process stuck in the kernel. */
const killPatienceMs = 5_000

/**
 * Sends the group each signal of the sequence while anything in it runs,
 * waiting up to the step's time after each. When the sequence is over and the
 * group is still there (a sequence without KILL), KILL follows, so this only
 * returns once the whole group is gone. Runs uninterruptibly: a half-done kill
 * is the leak this exists to prevent.
 *
 * @internal
 */
export const terminateGroup = (pgid: number, termSeq: TermSeq): Effect.Effect<void> =>
  Effect.uninterruptible(Effect.gen(function*() {
    const alive = makeGroupWatch(pgid)
    for (const step of termSeq.steps) {
      if (!alive()) return
      signalGroup(pgid, step.signal)
      if (yield* awaitGone(alive, step.waitMs)) return
    }
    const giveUp = Date.now() + killPatienceMs
    while (alive() && Date.now() < giveUp) {
      signalGroup(pgid, "SIGKILL")
      yield* awaitGone(alive, 50)
    }
  }))
