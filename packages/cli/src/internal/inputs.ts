/**
 * Input sources (`:::`, `::::`, `-a`, stdin), read lazily and combined the way
 * GNU parallel does: cartesian product (first source slowest), `--link`
 * (recycling the shorter sources) and `:::+`/`::::+` (linked, shortest wins).
 *
 * @internal
 */
import { Bytes } from "@fanout/shell"
import * as Data from "effect/Data"
import * as fs from "node:fs"
import { UsageError } from "./exit.js"

/** An input file that cannot be opened or read. @internal */
export class InputError extends Data.TaggedError("InputError")<{ readonly message: string }> {}

/** @internal */
export type Source =
  | { readonly _tag: "Args"; readonly values: ReadonlyArray<string> }
  /** `-` is stdin. */
  | { readonly _tag: "File"; readonly path: string }
  | { readonly _tag: "Stdin" }

/** @internal */
export interface CommandLine {
  readonly command: ReadonlyArray<string>
  /** Sources linked within a group (`:::+`), cartesian product across groups. */
  readonly groups: ReadonlyArray<ReadonlyArray<Source>>
}

/** `--arg-sep` and `--arg-file-sep`: what stands for `:::` and `::::`. @internal */
export interface Separators {
  readonly args: string
  readonly files: string
}

/** @internal */
export const defaultSeparators: Separators = { args: ":::", files: "::::" }

/**
 * `rest` is everything after our options: the command words, then sources.
 * `argFiles` (`-a`) come before the sources of the command line, as in GNU parallel.
 *
 * @internal
 */
export const parseCommandLine = (
  rest: ReadonlyArray<string>,
  argFiles: ReadonlyArray<string>,
  separator: Separators = defaultSeparators
): CommandLine => {
  const separators = new Set([separator.args, separator.files, `${separator.args}+`, `${separator.files}+`])
  let i = 0
  while (i < rest.length && !separators.has(rest[i])) i++
  const command = rest.slice(0, i)
  const groups: Array<Array<Source>> = argFiles.map((path) => [{ _tag: "File", path }])
  while (i < rest.length) {
    const word = rest[i]
    let j = i + 1
    while (j < rest.length && !separators.has(rest[j])) j++
    const words = rest.slice(i + 1, j)
    const linked = word === `${separator.args}+` || word === `${separator.files}+`
    const files = word === separator.files || word === `${separator.files}+`
    if (linked && groups.length === 0) {
      throw new UsageError({ message: `${word}: links to an input source before it, but there is none` })
    }
    const sources: Array<Source> = files
      ? words.map((path) => ({ _tag: "File", path }))
      : [{ _tag: "Args", values: words }]
    if (files && words.length === 0) {
      throw new UsageError({ message: `${word}: expected one or more file names after it` })
    }
    for (const [k, source] of sources.entries()) {
      if (linked && k === 0) groups[groups.length - 1].push(source)
      else groups.push([source])
    }
    i = j
  }
  return { command, groups: withEmptySources(groups) }
}

const isEmpty = (source: Source) => source._tag === "Args" && source.values.length === 0

/**
 * GNU parallel's empty `:::` (`::: $(ls *.none)`): alone, it reads stdin as if no source were
 * given; beside other sources it is one empty input; when every source is empty, nothing runs.
 */
const withEmptySources = (groups: Array<Array<Source>>): Array<Array<Source>> => {
  if (groups.length === 0) return [[{ _tag: "Stdin" }]]
  if (groups.length === 1 && groups[0].length === 1 && isEmpty(groups[0][0])) return [[{ _tag: "Stdin" }]]
  if (groups.every((group) => group.every(isEmpty))) return groups
  return groups.map((group) => group.map((source) => isEmpty(source) ? { _tag: "Args", values: [""] } : source))
}

/** One byte as text: ASCII as itself, a byte past it as an escaped byte (it is one byte, not a character). */
const byteChar = (byte: number): string => Bytes.decode(Uint8Array.of(byte))

/**
 * GNU parallel's `-d` escapes: `\n \t \r`, octal `\NNN` and `\N`.
 *
 * @internal
 */
export const unescapeDelimiter = (text: string): string =>
  text
    .replace(/\\t/g, "\t")
    .replace(/\\n/g, "\n")
    .replace(/\\r/g, "\r")
    .replace(/\\([0-7]{3})/g, (_, octal: string) => byteChar(parseInt(octal, 8)))
    .replace(/\\([0-7])/g, (_, octal: string) => byteChar(parseInt(octal, 8)))

/** @internal */
export interface ReadOptions {
  readonly delimiter: string
  /** `--colsep`: each record split into columns (trimmed, if at all, when replaced). */
  readonly colsep: RegExp | undefined
  /** `--header`: the first record of each source is taken as its column names, not as input. */
  readonly header: boolean
  /** `-L`, `-l`: a record ending in white space goes on in the next one. */
  readonly continueLines: boolean
  /** `--link`: every source in one group, shorter ones recycled. */
  readonly link: boolean
  /** Told once, in one line, of something in the input that was changed (a NUL without `-0`). */
  readonly warn?: (message: string) => void
  /** Where `-`/stdin reads from (default: fd 0). */
  readonly stdin?: NodeJS.ReadableStream
}

/** GNU parallel's three warnings, as one line. */
const nulWarning = "a NUL character in the input was replaced with \\0: NUL cannot be passed through in the " +
  "argument list. Did you mean to use the --null option?"

const describe = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case "ENOENT":
      return "no such file or directory"
    case "EACCES":
      return "permission denied"
    case "EISDIR":
      return "is a directory"
    default:
      return error instanceof Error ? error.message : String(error)
  }
}

const fileError = (path: string, error: unknown) =>
  new InputError({ message: `cannot read input file '${path}': ${describe(error)}` })

/** Each chunk as bytes (a stream with an encoding set yields strings). */
const asBytes = (chunk: Buffer | string): Buffer => typeof chunk === "string" ? Bytes.encode(chunk) : chunk

/** How the records of a byte stream are cut and decoded. */
interface Splitter {
  readonly delimiter: string
  readonly bytes: Buffer
  /** An ASCII delimiter cannot fall inside a UTF-8 sequence, so valid text may be split as text. */
  readonly ascii: boolean
  readonly onNul: (() => void) | undefined
}

const splitter = (delimiter: string, onNul: (() => void) | undefined): Splitter => ({
  delimiter,
  bytes: Bytes.encode(delimiter),
  ascii: /^[\x00-\x7f]+$/.test(delimiter),
  onNul: delimiter.includes("\0") ? undefined : onNul
})

/** A NUL cannot be in an argument: GNU parallel writes it as the two characters `\0` and warns. */
const withoutNul = (records: Array<string>, split: Splitter): Array<string> => {
  if (split.onNul === undefined || !records.some((record) => record.includes("\0"))) return records
  split.onNul()
  return records.map((record) => record.replaceAll("\0", "\\0"))
}

/** `bytes` (no delimiter at its end) as records, each decoded without loss. */
const splitRecords = (bytes: Buffer, split: Splitter): Array<string> => {
  if (split.ascii) {
    const text = bytes.toString("utf8")
    if (!text.includes("\uFFFD")) return withoutNul(text.split(split.delimiter), split)
  }
  const records: Array<string> = []
  let start = 0
  for (let at = bytes.indexOf(split.bytes); at !== -1; at = bytes.indexOf(split.bytes, start)) {
    records.push(Bytes.decode(bytes.subarray(start, at)))
    start = at + split.bytes.length
  }
  records.push(Bytes.decode(bytes.subarray(start)))
  return withoutNul(records, split)
}

/**
 * Records of a byte stream, in batches (one batch a chunk), the delimiter
 * removed, cut as bytes and decoded without loss ({@link Bytes.decode}). A
 * record longer than a chunk (GNU parallel's INPUTSIZE case: one 100 MB line)
 * is gathered in pieces and joined once, so it costs linear time.
 */
async function* records(
  chunks: AsyncIterable<Buffer | string>,
  split: Splitter,
  path: string
): AsyncGenerator<Array<string>> {
  const overlap = split.bytes.length - 1
  let pieces: Array<Buffer> = []
  let held = 0
  try {
    for await (const chunk of chunks) {
      const bytes = asBytes(chunk)
      // A delimiter of several bytes may straddle the previous piece and this one.
      const previous = pieces.length > 0 ? pieces[pieces.length - 1] : undefined
      const reach = previous === undefined ? 0 : Math.min(overlap, previous.length)
      const window = reach > 0 ? Buffer.concat([previous!.subarray(-reach), bytes]) : bytes
      const last = window.lastIndexOf(split.bytes)
      pieces.push(bytes)
      held += bytes.length
      if (last === -1) continue
      const all = Buffer.concat(pieces, held)
      const end = held - bytes.length - reach + last
      const rest = all.subarray(end + split.bytes.length)
      pieces = rest.length > 0 ? [rest] : []
      held = rest.length
      yield splitRecords(all.subarray(0, end), split)
    }
  } catch (error) {
    throw fileError(path, error)
  }
  if (held > 0) yield splitRecords(Buffer.concat(pieces, held), split)
}

type Opened = () => AsyncIterable<Array<string>>

const argsRecords = (values: ReadonlyArray<string>, delimiter: string): Array<string> =>
  // GNU parallel feeds `:::` args through the same record reader, so a delimiter inside one splits it.
  values.flatMap((value) => {
    if (!value.includes(delimiter)) return [value]
    const pieces = value.split(delimiter)
    if (pieces[pieces.length - 1] === "") pieces.pop()
    return pieces
  })

const openSource = async (source: Source, options: ReadOptions, split: Splitter): Promise<Opened> => {
  switch (source._tag) {
    case "Args": {
      const values = argsRecords(source.values, options.delimiter)
      return async function*() {
        if (values.length > 0) yield values
      }
    }
    case "Stdin":
      return () => records(stdinStream(options), split, "-")
    case "File": {
      if (source.path === "-") return () => records(stdinStream(options), split, "-")
      let handle: fs.promises.FileHandle
      try {
        handle = await fs.promises.open(source.path, "r")
      } catch (error) {
        throw fileError(source.path, error)
      }
      return () => records(handle.createReadStream({ highWaterMark: 1 << 16 }), split, source.path)
    }
  }
}

const stdinStream = (options: ReadOptions): AsyncIterable<Buffer | string> =>
  (options.stdin ?? process.stdin) as AsyncIterable<Buffer | string>

async function* flatten(batches: AsyncIterable<Array<string>>): AsyncGenerator<string> {
  for await (const batch of batches) yield* batch
}

const collect = async (opened: Opened): Promise<Array<string>> => {
  const all: Array<string> = []
  for await (const batch of opened()) for (const record of batch) all.push(record)
  return all
}

const splitColumns = (record: string, colsep: RegExp | undefined): Array<string> =>
  colsep === undefined ? [record] : record.split(colsep)

/** Linked sources, advanced together: the row ends with the shortest. */
async function* zipShortest(sources: ReadonlyArray<Opened>): AsyncGenerator<Array<string>> {
  const iterators = sources.map((opened) => flatten(opened())[Symbol.asyncIterator]())
  try {
    while (true) {
      const row: Array<string> = []
      for (const iterator of iterators) {
        const next = await iterator.next()
        if (next.done) return
        row.push(next.value)
      }
      yield row
    }
  } finally {
    await Promise.all(iterators.map((iterator) => iterator.return(undefined)))
  }
}

/** A source's first record taken off (`--header`): the rest is read on from where it stopped. */
const takeFirst = async (opened: Opened): Promise<readonly [string | undefined, Opened]> => {
  const iterator = opened()[Symbol.asyncIterator]()
  while (true) {
    const next = await iterator.next()
    if (next.done === true) return [undefined, opened]
    if (next.value.length === 0) continue
    const [first, ...rest] = next.value
    return [first, async function*() {
      if (rest.length > 0) yield rest
      yield* { [Symbol.asyncIterator]: () => iterator }
    }]
  }
}

/** `-L`: a record ending in white space is continued by the next (GNU parallel's read_arg_from_fh). */
const continued = (opened: Opened): Opened =>
  async function*() {
    let start: string | undefined
    for await (const batch of opened()) {
      const out: Array<string> = []
      for (const record of batch) {
        const line = start === undefined ? record : start + record
        start = /[ \t\n\r\f\v]$/.test(line) ? line : undefined
        if (start === undefined) out.push(line)
      }
      if (out.length > 0) yield out
    }
    if (start !== undefined) yield [start]
  }

/** @internal */
export interface Inputs {
  /** Each record: one input per source (its columns with `--colsep`), in batches as they are read. */
  readonly records: AsyncIterable<ReadonlyArray<ReadonlyArray<string>>>
  /** With `--header`: the first record of each source, in order (undefined for an empty one). */
  readonly headers: ReadonlyArray<string | undefined>
}

/**
 * Opens every source up front (so a missing file fails before any job runs),
 * then yields each job's args. The first group is streamed, the others are
 * held in memory (they are replayed for every record of the first).
 *
 * @internal
 */
export const open = async (
  groups: ReadonlyArray<ReadonlyArray<Source>>,
  options: ReadOptions
): Promise<Inputs> => {
  let warned = false
  const onNul = () => {
    if (warned) return
    warned = true
    options.warn?.(nulWarning)
  }
  const split = splitter(options.delimiter, onNul)
  const opened: Array<Array<Opened>> = []
  const headers: Array<string | undefined> = []
  for (const group of groups) {
    const sources: Array<Opened> = []
    for (const source of group) {
      let records = await openSource(source, options, split)
      if (options.header) {
        const [header, rest] = await takeFirst(records)
        headers.push(header)
        records = rest
      }
      sources.push(options.continueLines ? continued(records) : records)
    }
    opened.push(sources)
  }
  return { records: combine(opened, options), headers }
}

/** The records of the sources: cartesian product across groups, linked within one. */
const combine = (
  opened: ReadonlyArray<ReadonlyArray<Opened>>,
  options: ReadOptions
): AsyncIterable<ReadonlyArray<ReadonlyArray<string>>> => {
  const columns = (row: ReadonlyArray<string>) => row.flatMap((record) => splitColumns(record, options.colsep))
  if (options.link) {
    return (async function*() {
      const all = await Promise.all(opened.flat().map(collect))
      if (all.some((values) => values.length === 0)) return
      const length = Math.max(...all.map((values) => values.length))
      for (let i = 0; i < length; i++) yield [columns(all.map((values) => values[i % values.length]))]
    })()
  }

  return (async function*() {
    const [first, ...others] = opened
    const held: Array<Array<Array<string>>> = []
    for (const group of others) {
      const rows: Array<Array<string>> = []
      for await (const row of zipShortest(group)) rows.push(row)
      if (rows.length === 0) return
      held.push(rows)
    }
    // A batch a chunk read: a generator's step for each record would cost more than the record.
    const batches = first.length === 1
      ? (async function*() {
        for await (const batch of first[0]()) yield batch.map((record) => [record])
      })()
      : (async function*() {
        for await (const row of zipShortest(first)) yield [row]
      })()
    for await (const rows of batches) {
      if (held.length === 0) {
        yield options.colsep === undefined ? rows : rows.map(columns)
        continue
      }
      const out: Array<Array<string>> = []
      for (const row of rows) {
        // Odometer over the held groups, the last one fastest.
        const index = held.map(() => 0)
        while (true) {
          out.push(columns([...row, ...held.flatMap((rows, k) => rows[index[k]])]))
          let k = held.length - 1
          while (k >= 0 && ++index[k] === held[k].length) index[k--] = 0
          if (k < 0) break
        }
      }
      yield out
    }
  })()
}
