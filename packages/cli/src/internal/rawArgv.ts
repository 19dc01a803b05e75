/**
 * The command line as the bytes it was. Node decodes argv as UTF-8 and turns
 * every invalid byte into U+FFFD, so `fanout rm ::: caf$'\351'` would act on
 * another name. When a word holds U+FFFD, the words are read again from
 * `/proc/self/cmdline` (Linux) and decoded without loss.
 *
 * @internal
 */
import { Bytes } from "@fanout/shell"
import { readFileSync } from "node:fs"

/** The user's words (`process.argv` without node and the script), byte for byte where the system tells. */
export const userArgv = (argv: ReadonlyArray<string> = process.argv): Array<string> => {
  const words = argv.slice(2)
  if (!words.some((word) => word.includes("\uFFFD"))) return words
  let cmdline: Buffer
  try {
    cmdline = readFileSync("/proc/self/cmdline")
  } catch {
    return words
  }
  const raw: Array<string> = []
  let start = 0
  for (let end = cmdline.indexOf(0); end !== -1; end = cmdline.indexOf(0, start)) {
    raw.push(Bytes.decode(cmdline.subarray(start, end)))
    start = end + 1
  }
  // Node's own options come before the script: the user's words are the last ones.
  const mine = raw.slice(raw.length - words.length)
  return mine.length === words.length && mine.every((word, i) => sameShape(word, words[i]))
    ? mine
    : words
}

/** The same word, but that Node's decoding made one or more U+FFFD of each run of escaped bytes. */
const sameShape = (raw: string, lossy: string): boolean =>
  raw.replace(/(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]+/g, "\uFFFD") === lossy.replace(/\uFFFD+/g, "\uFFFD")
