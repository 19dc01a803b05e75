/**
 * The `fanout` executable: `main` under `NodeRuntime.runMain`, with our own
 * exit statuses (130/143 on SIGINT/SIGTERM, 255 for usage errors, the batch's
 * status otherwise) and no error reporting of runMain's own.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Status from "./internal/exit.js"
import * as Hangup from "./internal/hangup.js"
import { main } from "./internal/main.js"
import { userArgv } from "./internal/rawArgv.js"

let signal: NodeJS.Signals | undefined
const remember = (received: NodeJS.Signals) => {
  signal ??= received
}
// Kept for the whole run (not `once`): a second Ctrl-C while running jobs are being
// stopped must not kill fanout by Node's default action and orphan them.
process.on("SIGINT", remember)
process.on("SIGTERM", remember)
Hangup.listen()

NodeRuntime.runMain(main(userArgv()), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    let code: number
    if (Exit.isSuccess(exit)) {
      code = signal !== undefined
        ? Status.signalStatus(signal)
        : typeof exit.value === "number"
        ? exit.value
        : 0
    } else if (Cause.isInterruptedOnly(exit.cause)) code = Status.signalStatus(signal ?? "SIGINT")
    else {
      process.stderr.write(Status.line(`internal error: ${Cause.pretty(exit.cause).split("\n")[0]}`))
      code = Status.usageError
    }
    onExit(code)
    process.exit(code)
  }
})
