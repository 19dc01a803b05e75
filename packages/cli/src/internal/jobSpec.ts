/**
 * What a job is beyond its command line, the same for a real run and a dry run:
 * its tag (`--tag`, `--tagstring`).
 *
 * @internal
 */
import type { Config } from "./config.js"
import type { Template } from "./template.js"
import { parse as parseTemplate, render } from "./template.js"

const literally = (value: string) => value

/** @internal */
export type Tag = (args: ReadonlyArray<string>, seq: number) => (slot: number) => string

/** The tag of each job, rendered when its slot is known; undefined without `--tag`/`--tagstring`. */
export const tagOf = (config: Config): Tag | undefined => {
  // A tag string is text with replacement strings, never a command: nothing is appended to it.
  const tagString: Template | undefined = config.tagString === undefined
    ? undefined
    : { ...parseTemplate([config.tagString]), appendArgs: false }
  if (tagString !== undefined) {
    return (args, seq) => (slot) => render(tagString, args, seq, slot, literally)
  }
  if (config.tag) return (args) => () => args.join(" ")
  return undefined
}
