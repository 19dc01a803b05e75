/**
 * SIGHUP, as in GNU parallel: start nothing new, let the running jobs finish.
 * The listener is installed first thing at start-up (`listen`), so a hangup
 * that comes while fanout is still loading is not Node's default "exit now".
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"

/** Completed by the first SIGHUP. @internal */
export const hangup: Deferred.Deferred<void> = Deferred.unsafeMake<void>(FiberId.none)

/** @internal */
export const listen = (): void => {
  let received = false
  process.on("SIGHUP", () => {
    if (received) return
    received = true
    // GNU parallel's notice; the batch adds how many running jobs it waits for.
    process.stderr.write("fanout: SIGHUP received. No new jobs will be started.\n")
    Deferred.unsafeDone(hangup, Exit.void)
  })
}
