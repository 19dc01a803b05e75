/**
 * Sizes as GNU parallel reads them (`multiply_binary_prefix`): `K M G T P` and
 * `Ki ki Mi mi …` are powers of 1024, `k m g t p` powers of 1000; `1.5M` works.
 *
 * @internal
 */
import { bad } from "./exit.js"

const units: Record<string, number> = {
  "": 1,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
  P: 2 ** 50,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  p: 1e15
}

/** Bytes; negative when the text is (`--block -2`: two blocks a job slot). 0 is GNU's "not given". @internal */
export const parseSize = (option: string, text: string): number => {
  const match = /^(-?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([KMGTPkmgtp]i?|)$/i.exec(text.trim())
  const unit = match === null ? undefined : match[3].length === 2 ? match[3][0].toUpperCase() : match[3]
  if (match === null || unit === undefined || units[unit] === undefined) {
    throw bad(option, "a size like 1M, 512k, 64Ki or 100", text)
  }
  const size = Math.floor(Number(match[2]) * units[unit])
  return match[1] === "-" ? -size : size
}
