/**
 * `--pipe`'s block splitter: bytes in, blocks out, each ending at a record
 * boundary, cut exactly where GNU parallel 20221122 cuts them (`spreadstdin`):
 * its buffer is filled up to the next multiple of `--block`, and then
 *
 * - by size: cut after the last `recend recstart` in it (none: the block grows by 1.3×);
 * - `-N n`: cut after every n-th `recend recstart`, as often as it fits;
 * - `-L n` alone: cut after the largest multiple of n newlines;
 * - `--regexp`: the same with `recstart`/`recend` read as regular expressions.
 *
 * At end of input the rest goes out as one last block, also when it ends
 * mid-record. A block is a list of slices of the buffers read: nothing is copied
 * unless `--remove-rec-sep` rewrites it.
 *
 * @internal
 */
import { Bytes } from "@fanout/shell"
import { ByteQueue } from "./byteQueue.js"
import { fromPerl } from "./perlRegex.js"

/** @internal */
export interface SplitOptions {
  /** `--block`, in bytes. */
  readonly blockSize: number
  /** `--recstart`; undefined: not given. */
  readonly recstart: string | undefined
  /** `--recend`; undefined: not given (newline unless `--recstart` is given). */
  readonly recend: string | undefined
  /** `--regexp`: recstart and recend are Perl regular expressions. */
  readonly regexp: boolean
  /** `-N`: records per block. */
  readonly records: number | undefined
  /** `-L`: lines per record. */
  readonly lines: number | undefined
  /**
   * `--header`: this many lines (`:` is 1), or what this regular expression matches at the start
   * of the input (nothing, when it does not), go before every block.
   */
  readonly header: number | RegExp
  readonly removeRecSep: boolean
  /** A record longer than the block: told as GNU parallel tells it. */
  readonly warn?: ((message: string) => void) | undefined
}

/** @internal */
export interface Block {
  /** The `--header` lines, to write before the block. */
  readonly header: Buffer
  readonly chunks: ReadonlyArray<Buffer>
  readonly length: number
}

const twoGigabytes = 2 ** 31 - 1

/** GNU parallel's escapes in a literal `--recstart`/`--recend`: `\0 \r \n \t \' \" \\`. */
const unescape = (text: string): string =>
  text.replace(/\\([0rnt'"\\])/g, (_, c: string) => ({ "0": "\0", r: "\r", n: "\n", t: "\t" })[c] ?? c)

/** Regular expressions match the bytes as latin1 text: one character a byte. */
const latin1 = (text: string): Buffer => Buffer.from(text, "latin1")

/** A Perl regular expression as a JavaScript source, for splicing into a larger one. */
const regexSource = (perl: string): string => `(?:${fromPerl(perl).source})`

interface Separators {
  readonly recstart: string
  readonly recend: string
}

/** GNU parallel's `recstartrecend`: the defaults, and `--regexp --recend ''` as any one character. */
export const separators = (options: Pick<SplitOptions, "recstart" | "recend" | "regexp">): Separators => {
  const recend = options.recend ?? (options.recstart === undefined ? "\n" : "")
  const recstart = options.recstart ?? ""
  if (options.regexp) {
    return { recstart: regexSource(recstart), recend: regexSource(recend === "" ? "[\\s\\S]" : recend) }
  }
  return { recstart: unescape(recstart), recend: unescape(recend) }
}

/**
 * The splitter as a state machine: `push` each chunk read, `end` at end of
 * input; each returns the blocks now complete, in order.
 *
 * @internal
 */
export class Splitter {
  private readonly queue = new ByteQueue()
  /** How much of the queue GNU parallel's buffer holds: bytes past it are not read yet. */
  private buffered = 0
  private blockSize: number
  private header: Buffer | undefined
  /** Blocks read so far that `--header`'s pattern did not match. */
  private headerTries = 0
  private readonly out: Array<Block> = []
  private readonly recstart: Buffer
  private readonly recend: Buffer
  private readonly boundary: Buffer
  private readonly sourceRecstart: string
  private readonly sourceRecend: string

  constructor(private readonly options: SplitOptions) {
    this.blockSize = Math.floor(options.blockSize)
    const { recend, recstart } = separators(options)
    this.sourceRecstart = recstart
    this.sourceRecend = recend
    this.recstart = Bytes.encode(recstart)
    this.recend = Bytes.encode(recend)
    this.boundary = Bytes.encode(recend + recstart)
    if (options.header === 0) this.header = Buffer.alloc(0)
  }

  push(chunk: Buffer): Array<Block> {
    this.queue.push(chunk)
    if (this.header === undefined && !this.findHeader(false)) return this.flush()
    for (;;) {
      const target = this.buffered + this.blockSize - (this.buffered % this.blockSize)
      if (this.queue.length < target) break
      this.buffered = target
      if (this.pass(false) === 0) this.grow()
    }
    return this.flush()
  }

  end(): Array<Block> {
    if (this.header === undefined) this.findHeader(true)
    this.buffered = this.queue.length
    this.pass(true)
    this.emit(this.queue.length)
    return this.flush()
  }

  /** Chunks pushed that the splitter no longer holds any of (see `ByteQueue.takeReleased`). */
  takeReleased(): Array<Buffer> {
    return this.queue.takeReleased()
  }

  private flush(): Array<Block> {
    return this.out.splice(0, this.out.length)
  }

  /** `--header`: taken off the start once it is all in; false while it may not be. */
  private findHeader(atEnd: boolean): boolean {
    const found = typeof this.options.header === "number"
      ? this.headerLines(this.options.header, atEnd)
      : this.headerMatch(this.options.header, atEnd)
    if (found === undefined) return false
    this.header = Buffer.concat(this.queue.take(found.length))
    // What GNU parallel read past the header is in its buffer.
    this.buffered = Math.min(found.read - found.length, this.queue.length)
    return true
  }

  /**
   * The first `lines` lines, as soon as they are in (at the end, none if there are fewer); GNU
   * parallel read them in reads of a block.
   */
  private headerLines(lines: number, atEnd: boolean): { length: number; read: number } | undefined {
    let end = -1
    for (let k = 0, from = 0; k < lines; k++) {
      end = this.queue.indexOf(newline, from, this.queue.length)
      if (end === -1) break
      from = end + 1
    }
    if (end === -1 && !atEnd) return undefined
    const length = end + 1
    return { length, read: Math.ceil(length / this.blockSize) * this.blockSize || this.blockSize }
  }

  /**
   * What `pattern` matches at the start, tried as GNU parallel tries it: on the first block read,
   * then on the first two, and so on (at the end, on everything; nothing if it never matched).
   */
  private headerMatch(pattern: RegExp, atEnd: boolean): { length: number; read: number } | undefined {
    const whole = Math.floor(this.queue.length / this.blockSize)
    for (; this.headerTries < whole; this.headerTries++) {
      const read = (this.headerTries + 1) * this.blockSize
      const match = pattern.exec(this.queue.head(read).toString("latin1"))
      if (match !== null) return { length: match[0].length, read }
    }
    if (!atEnd) return undefined
    const read = this.queue.length
    return { length: pattern.exec(this.queue.head(read).toString("latin1"))?.[0].length ?? 0, read }
  }

  /** Cuts what the buffer allows; the number of blocks cut. */
  private pass(atEnd: boolean): number {
    const { lines, records, regexp } = this.options
    if (lines !== undefined && records === undefined) return this.passLines(lines)
    if (regexp) return records === undefined ? (atEnd ? 0 : this.passRegexp()) : this.passRegexpRecords(records)
    if (records !== undefined) return this.passRecords(records * (lines ?? 1))
    if (atEnd) return 0
    const at = this.queue.lastIndexOf(this.boundary, this.buffered)
    if (at === -1) return 0
    this.emit(at + this.recend.length)
    return 1
  }

  /** `-N`: after every n-th boundary (GNU's `nindex` looks from position 1, so a boundary at 0 is not one). */
  private passRecords(n: number): number {
    let cut = 0
    for (;;) {
      let at = 0
      for (let k = 0; k < n && at !== -1; k++) at = this.queue.indexOf(this.boundary, at + 1, this.buffered)
      if (at === -1 || this.buffered === 0) return cut
      this.emit(at + this.recend.length)
      cut++
    }
  }

  /** `-L` without `-N`: up to the last newline that ends a whole number of n-line records. */
  private passLines(n: number): number {
    let count = this.queue.count(newline[0], this.buffered)
    let last = this.queue.lastIndexOf(newline, this.buffered)
    while (count % n !== 0) {
      count--
      last = last <= 0 ? -1 : this.queue.lastIndexOf(newline, last)
    }
    if (last === -1) return 0
    this.emit(last + 1)
    return 1
  }

  /** `--regexp`: after the last recend followed by recstart. */
  private passRegexp(): number {
    const text = this.queue.head(this.buffered).toString("latin1")
    const match = new RegExp(`^([\\s\\S]*${this.sourceRecend})${this.sourceRecstart}`, "m").exec(text)
    if (match === null || match[1].length === 0) return 0
    this.emit(match[1].length)
    return 1
  }

  /** `--regexp -N n`: n records from the start, each recstart…recend, while one more starts after them. */
  private passRegexpRecords(n: number): number {
    const text = this.queue.head(this.buffered).toString("latin1")
    const start = this.sourceRecstart
    const end = this.sourceRecend
    let offset = 0
    let cut = 0
    const emitTo = (length: number) => {
      this.emit(length)
      offset += length
      cut++
    }
    if (!new RegExp(start, "my").test(text)) {
      // Bytes before the first recstart are a record of their own.
      const garbage = new RegExp(`((?:(?!${end}${start})[\\s\\S])*?${end})(?=${start})`, "my").exec(text)
      if (garbage !== null && garbage[1].length > 0) emitTo(garbage[1].length)
    }
    const record = `${start}(?:(?!${end}${start})[\\s\\S])*?${end}`
    const pattern = new RegExp(`((?:${record}){${n}})(?=${start})`, "my")
    for (;;) {
      pattern.lastIndex = offset
      const match = pattern.exec(text)
      if (match === null || match[1].length === 0) return cut
      emitTo(match[1].length)
    }
  }

  private grow(): void {
    if (this.blockSize >= twoGigabytes) return
    const old = this.blockSize
    this.blockSize = Math.min(Math.ceil(old * 1.3 + 1), twoGigabytes)
    this.options.warn?.(`a record was longer than ${old}: increasing --block to ${this.blockSize}`)
  }

  /** The first `length` bytes become a block. */
  private emit(length: number): void {
    if (length <= 0) return
    const chunks = this.queue.take(length)
    this.buffered = Math.max(this.buffered - length, 0)
    const header = this.header ?? Buffer.alloc(0)
    if (!this.options.removeRecSep) {
      this.out.push({ header, chunks, length })
      return
    }
    const bytes = this.withoutSeparators(Buffer.concat(chunks, length))
    this.out.push({ header, chunks: [bytes], length: bytes.length })
  }

  /** `--remove-rec-sep`: every recend recstart, a leading recstart and a trailing recend go. */
  private withoutSeparators(block: Buffer): Buffer {
    if (this.options.regexp) {
      const text = block.toString("latin1")
        .replace(new RegExp(`${this.sourceRecend}${this.sourceRecstart}`, "gm"), "")
        .replace(new RegExp(`^${this.sourceRecstart}`), "")
        .replace(new RegExp(`${this.sourceRecend}(?=\\n?$)`), "")
      return latin1(text)
    }
    const parts: Array<Buffer> = []
    let from = 0
    if (this.boundary.length > 0) {
      for (let at = block.indexOf(this.boundary); at !== -1; at = block.indexOf(this.boundary, from)) {
        parts.push(block.subarray(from, at))
        from = at + this.boundary.length
      }
    }
    parts.push(block.subarray(from))
    let joined = Buffer.concat(parts)
    if (this.recstart.length > 0 && joined.subarray(0, this.recstart.length).equals(this.recstart)) {
      joined = joined.subarray(this.recstart.length)
    }
    return stripTrailing(joined, this.recend)
  }
}

const newline = Buffer.from("\n")

/** Perl's `s/\Qrecend\E$//`: `$` is the end, or just before a final newline. */
const stripTrailing = (block: Buffer, recend: Buffer): Buffer => {
  if (recend.length === 0) return block
  const at = block.length - recend.length
  if (at >= 0 && block.subarray(at).equals(recend)) return block.subarray(0, at)
  const beforeNewline = at - 1
  if (block.at(-1) === 0x0a && beforeNewline >= 0 && block.subarray(beforeNewline, -1).equals(recend)) {
    return Buffer.concat([block.subarray(0, beforeNewline), newline])
  }
  return block
}

/**
 * The blocks of a byte stream, read as they are asked for: the stream is not
 * read further while the consumer has not taken the block before.
 *
 * @internal
 */
export async function* blocks(source: AsyncIterable<Buffer | string>, options: SplitOptions): AsyncGenerator<Block> {
  const splitter = new Splitter(options)
  for await (const chunk of source) {
    yield* splitter.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)
    // The source's buffers are not reused here: the splitter's list of them is let go.
    splitter.takeReleased()
  }
  yield* splitter.end()
}
