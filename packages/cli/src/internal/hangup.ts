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
  process.on("SIGHUP", () => Deferred.unsafeDone(hangup, Exit.void))
}
