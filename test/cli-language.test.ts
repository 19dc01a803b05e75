/**
 * GNU parallel's everyday language beyond the basics (issue 11): aliases users
 * type, running options, the environment scripts rely on. Each case runs
 * fanout and compares with GNU parallel 20221122 (live, or its recording).
 */
import { describe, expect, it } from "@effect/vitest"
import { fanout, type RunOptions } from "./fixtures/cli/fanout.js"
import { digest, recordedParallel } from "./fixtures/gnuParallel.js"

const suite = "cli-language"

/** fanout's stdout, exit status and stderr equal GNU parallel's for `args`. */
const same = (name: string, args: ReadonlyArray<string>, options: RunOptions = {}) =>
  it(name, async () => {
    const [ours, theirs] = await Promise.all([fanout(args, options), recordedParallel(suite, name, args, options)])
    expect({ status: ours.status, stdout: digest(ours.stdout), stderr: digest(ours.stderr) }).toEqual(theirs)
  })

const withoutColour = (text: string) => text.replace(/\x1b\[[0-9;]*[mK]/g, "")

describe("aliases users type", () => {
  for (const alias of ["--no-notice", "--nn", "--nonotice", "--willcite", "--will-cite", "--gnu"]) {
    same(`${alias} is accepted and changes nothing`, [alias, "-k", "echo", ":::", "a", "b"])
  }
  same("--linebuffer is --line-buffer", ["--linebuffer", "-k", "echo", ":::", "a", "b"])
  same("--lb is --line-buffer", ["--lb", "-k", "echo", ":::", "a", "b"])

  for (
    const [name, args] of [
      ["--ctag", ["--ctag", "-k", "echo", ":::", "a", "b c"]],
      ["--ctagstring", ["--ctagstring", "<{}>", "-k", "echo", ":::", "a", "b c"]]
    ] as const
  ) {
    it(`${name} tags as GNU parallel does, without its colours`, async () => {
      const [ours, theirs] = await Promise.all([fanout(args), recordedParallel(suite, name, args)])
      expect(ours.status).toBe(theirs.status)
      expect(ours.stdout).toBe(withoutColour(theirs.stdout))
    })
  }
})
