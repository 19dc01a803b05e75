/**
 * Text that is really bytes. A byte that is not part of valid UTF-8 is kept as
 * the lone low surrogate U+DC80–U+DCFF ("surrogateescape", as Python does for
 * file names), so inputs travel as ordinary strings and come back out as the
 * exact bytes they were.
 *
 * @internal
 */

const replacement = "\uFFFD"

/** A U+DC80–U+DCFF code unit that is not the second half of a surrogate pair. */
const rawByte = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/
const rawBytes = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g

/** The length of the valid UTF-8 sequence at `i`, or 0 if the byte there starts none. */
const sequenceLength = (bytes: Uint8Array, i: number): number => {
  const lead = bytes[i]
  if (lead < 0x80) return 1
  const inRange = (k: number, low = 0x80, high = 0xbf) =>
    i + k < bytes.length && bytes[i + k] >= low && bytes[i + k] <= high
  if (lead >= 0xc2 && lead <= 0xdf) return inRange(1) ? 2 : 0
  if (lead >= 0xe0 && lead <= 0xef) {
    const second = lead === 0xe0 ? inRange(1, 0xa0) : lead === 0xed ? inRange(1, 0x80, 0x9f) : inRange(1)
    return second && inRange(2) ? 3 : 0
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const second = lead === 0xf0 ? inRange(1, 0x90) : lead === 0xf4 ? inRange(1, 0x80, 0x8f) : inRange(1)
    return second && inRange(2) && inRange(3) ? 4 : 0
  }
  return 0
}

const escapeInvalid = (bytes: Uint8Array): string => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let text = ""
  let runStart = 0
  let i = 0
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i)
    if (length > 0) {
      i += length
      continue
    }
    text += buffer.toString("utf8", runStart, i) + String.fromCharCode(0xdc00 + bytes[i])
    runStart = ++i
  }
  return text + buffer.toString("utf8", runStart, i)
}

/**
 * Bytes as text, losslessly: valid UTF-8 decodes as usual, every other byte
 * becomes U+DC80 + its value. The common case (valid UTF-8, no U+FFFD) costs
 * one `toString` and one search.
 *
 * @internal
 */
export const decode = (bytes: Uint8Array): string => {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")
  return text.includes(replacement) ? escapeInvalid(bytes) : text
}

/** @internal */
export const hasRawBytes = (text: string): boolean => rawByte.test(text)

/**
 * The bytes a text stands for: UTF-8, except that each escaped byte is itself.
 *
 * @internal
 */
export const encode = (text: string): Buffer => {
  if (!rawByte.test(text)) return Buffer.from(text)
  const pieces: Array<Buffer> = []
  let last = 0
  for (const match of text.matchAll(rawBytes)) {
    pieces.push(Buffer.from(text.slice(last, match.index)), Buffer.of(text.charCodeAt(match.index) - 0xdc00))
    last = match.index + 1
  }
  pieces.push(Buffer.from(text.slice(last)))
  return Buffer.concat(pieces)
}

/**
 * `text` as an argument of a shell's `printf %b`, which turns it back into its
 * bytes: backslashes doubled, each escaped byte as `\0NNN` (octal). Everything
 * else is passed as is (Node writes it as UTF-8).
 *
 * @internal
 */
export const printfEscaped = (text: string): string =>
  text.replace(/\\/g, "\\\\").replace(rawBytes, (raw) => `\\0${(raw.charCodeAt(0) - 0xdc00).toString(8)}`)
