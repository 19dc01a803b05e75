import { describe, expect, it } from "@effect/vitest"
import { type Block, blocks, type SplitOptions, Splitter } from "../src/internal/blocks.js"
import { ByteQueue } from "../src/internal/byteQueue.js"
import gnu from "./fixtures/blocks-gnu.json" with { type: "json" }

/** The options of a case, from GNU parallel's own spelling (as recorded in the fixture). */
const optionsOf = (args: ReadonlyArray<string>): SplitOptions => {
  const options: { -readonly [K in keyof SplitOptions]: SplitOptions[K] } = {
    blockSize: 1 << 20,
    recstart: undefined,
    recend: undefined,
    regexp: false,
    records: undefined,
    lines: undefined,
    header: 0,
    removeRecSep: false
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const attached = /^-([NL])(\d+)$/.exec(arg)
    if (attached !== null) {
      if (attached[1] === "N") options.records = Number(attached[2])
      else options.lines = Number(attached[2])
      continue
    }
    switch (arg) {
      case "--block":
        options.blockSize = Number(args[++i])
        break
      case "--recstart":
        options.recstart = args[++i]
        break
      case "--recend":
        options.recend = args[++i]
        break
      case "--regexp":
        options.regexp = true
        break
      case "--remove-rec-sep":
        options.removeRecSep = true
        break
      case "-N":
        options.records = Number(args[++i])
        break
      case "--header": {
        const value = args[++i]
        options.header = value === ":" ? 1 : Number(value)
        break
      }
      default:
        throw new Error(`case uses ${arg}`)
    }
  }
  return options
}

const text = (block: Block) => Buffer.concat([block.header, ...block.chunks]).toString("latin1")

/** Runs the splitter over the input cut into chunks of `size` bytes (0: one chunk). */
const split = (input: string, options: SplitOptions, size: number): Array<string> => {
  const bytes = Buffer.from(input, "latin1")
  const splitter = new Splitter(options)
  const out: Array<Block> = []
  const step = size === 0 ? Math.max(bytes.length, 1) : size
  for (let at = 0; at < bytes.length; at += step) out.push(...splitter.push(bytes.subarray(at, at + step)))
  out.push(...splitter.end())
  for (const block of out) {
    expect(block.length).toBe(block.chunks.reduce((n, chunk) => n + chunk.length, 0))
  }
  return out.map(text)
}

describe("Splitter, against GNU parallel 20221122's blocks", () => {
  for (const recorded of gnu) {
    it(`${recorded.name} (${recorded.args.join(" ")})`, () => {
      const options = optionsOf(recorded.args)
      for (const size of [0, 1, 2, 3, 7, 64]) {
        expect(split(recorded.input, options, size), `chunks of ${size}`).toEqual(recorded.blocks)
      }
    })
  }
})

describe("Splitter", () => {
  const base = optionsOf([])

  it("gives nothing for empty input", () => {
    expect(split("", base, 0)).toEqual([])
  })

  it("hands the read buffers through: a block is slices of them, not a copy", () => {
    const input = Buffer.from("a\nb\nc\nd\n")
    const splitter = new Splitter({ ...base, blockSize: 4 })
    const [first] = splitter.push(input)
    expect(first.chunks[0].buffer).toBe(input.buffer)
    expect(first.chunks[0].byteOffset).toBe(input.byteOffset)
  })

  it("warns when a record is longer than the block", () => {
    const warnings: Array<string> = []
    const splitter = new Splitter({ ...base, blockSize: 2, warn: (message) => warnings.push(message) })
    splitter.push(Buffer.from("abcdef\n"))
    splitter.end()
    expect(warnings[0]).toBe("a record was longer than 2: increasing --block to 4")
  })

  it("keeps the header when the input ends inside it", () => {
    expect(split("h1\nh2", { ...base, header: 3 }, 1)).toEqual(["h1\nh2"])
  })

  it("takes a regular expression's match at the start as the header, tried a block at a time", () => {
    const header = /^(?:(?:h.\n)+)/
    // one block (the default 1 MiB) holds the whole input: the match is made on all of it
    expect(split("h1\nh2\na\nb\n", { ...base, records: 1, header }, 1)).toEqual(["h1\nh2\na\n", "h1\nh2\nb\n"])
    // no match: no header
    expect(split("a\nb\n", { ...base, records: 1, header: /^(?:x)/ }, 3)).toEqual(["a\n", "b\n"])
    // with 4-byte blocks, GNU parallel has read "h1\nh" when it first tries: the header is "h1\n"
    expect(split("h1\nh2\na\n", { ...base, blockSize: 4, records: 1, header }, 0)).toEqual([
      "h1\nh2\n",
      "h1\na\n"
    ])
  })

  it("reads the source only as blocks are taken", async () => {
    let read = 0
    async function* source() {
      for (let i = 0; i < 100; i++) {
        read++
        yield Buffer.from("x".repeat(9) + "\n")
      }
    }
    const iterator = blocks(source(), { ...base, blockSize: 20 })[Symbol.asyncIterator]()
    const first = await iterator.next()
    expect(text(first.value as Block)).toBe("x".repeat(9) + "\n" + "x".repeat(9) + "\n")
    expect(read).toBeLessThanOrEqual(3)
    await iterator.return?.(undefined)
  })
})

describe("ByteQueue", () => {
  const queueOf = (...parts: Array<string>) => {
    const queue = new ByteQueue()
    for (const part of parts) queue.push(Buffer.from(part))
    return queue
  }

  it("finds a separator across a seam, first and last", () => {
    const queue = queueOf("abX", "Ycd", "eXY")
    const xy = Buffer.from("XY")
    expect(queue.indexOf(xy, 0, queue.length)).toBe(2)
    expect(queue.indexOf(xy, 3, queue.length)).toBe(7)
    expect(queue.lastIndexOf(xy, queue.length)).toBe(7)
    expect(queue.lastIndexOf(xy, 8)).toBe(2)
    expect(queue.lastIndexOf(xy, 3)).toBe(-1)
  })

  it("takes slices without copying and counts bytes up to a bound", () => {
    const queue = queueOf("a\nb", "\nc\n")
    expect(queue.count(10, queue.length)).toBe(3)
    expect(queue.count(10, 3)).toBe(1)
    const taken = queue.take(4)
    expect(Buffer.concat(taken).toString()).toBe("a\nb\n")
    expect(queue.length).toBe(2)
    expect(queue.head(2).toString()).toBe("c\n")
  })
})
