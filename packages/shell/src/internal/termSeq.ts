/** @internal */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import { constants } from "node:os"

/** @internal */
export interface TermStep {
  readonly signal: NodeJS.Signals
  /** How long to wait for the group to vanish before the next step. */
  readonly waitMs: number
}

/** @internal */
export interface TermSeq {
  readonly steps: ReadonlyArray<TermStep>
}

/** @internal */
export class TermSeqParseError extends Data.TaggedError("TermSeqParseError")<{
  readonly input: string
  readonly reason: string
  /** What is wrong: an odd number of items, a word that is no signal (`item`), or a bad wait (`item`). */
  readonly problem: "count" | "signal" | "wait"
  readonly item?: string | undefined
}> {
  override get message() {
    return `bad termination sequence "${this.input}": ${this.reason}; expected SIGNAL,MS pairs such as TERM,200,TERM,100,TERM,50,KILL,25`
  }
}

/** @internal */
export const defaultTermSeq: TermSeq = {
  steps: [
    { signal: "SIGTERM", waitMs: 200 },
    { signal: "SIGTERM", waitMs: 100 },
    { signal: "SIGTERM", waitMs: 50 },
    { signal: "SIGKILL", waitMs: 25 }
  ]
}

const signalNames = constants.signals as Readonly<Record<string, number>>

const signalName = (word: string): NodeJS.Signals | undefined => {
  const upper = word.toUpperCase()
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`
  if (name in signalNames) return name as NodeJS.Signals
  if (/^\d+$/.test(word)) {
    const n = Number(word)
    const found = Object.keys(signalNames).find((key) => signalNames[key] === n)
    return found as NodeJS.Signals | undefined
  }
  return undefined
}

/** @internal */
export const signalNumber = (signal: string): number => signalNames[signal] ?? 0

/** @internal */
export const parse = (input: string): Either.Either<TermSeq, TermSeqParseError> => {
  const words = input.split(",").map((word) => word.trim())
  if (input.trim() === "" || words.length % 2 !== 0) {
    return Either.left(
      new TermSeqParseError({ input, reason: "it must have an even number of items", problem: "count" })
    )
  }
  const steps: Array<TermStep> = []
  for (let i = 0; i < words.length; i += 2) {
    const signal = signalName(words[i])
    if (signal === undefined) {
      return Either.left(
        new TermSeqParseError({
          input,
          reason: `"${words[i]}" is not a signal name`,
          problem: "signal",
          item: words[i]
        })
      )
    }
    if (!/^[0-9]+$/.test(words[i + 1])) {
      return Either.left(
        new TermSeqParseError({
          input,
          reason: `"${words[i + 1]}" is not a whole number of milliseconds`,
          problem: "wait",
          item: words[i + 1]
        })
      )
    }
    steps.push({ signal, waitMs: Number(words[i + 1]) })
  }
  return Either.right({ steps })
}
