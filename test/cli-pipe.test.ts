/**
 * `--pipe` and `--pipepart` (issue 13), end to end against GNU parallel 20221122
 * (live, or its recording): the same blocks reach the same jobs, in the same
 * order under `-k`; where GNU's own order varies, the same outputs in any order.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fanout, parallel, type RunOptions, tempDir } from "./fixtures/cli/fanout.js"
import { digest, recorded, recordedParallel } from "./fixtures/gnuParallel.js"

const suite = "cli-pipe"

const seq = (from: number, to: number) => {
  let text = ""
  for (let i = from; i <= to; i++) text += `${i}\n`
  return text
}

/** `exact`: the same stdout; `sorted`: the same lines in any order; `status`: only the exit status. */
type Compare = "exact" | "sorted" | "status"

const sortedLines = (text: string) => digest(text.split("\n").sort().join("\n"))

const callOf = (args: ReadonlyArray<string>, options: RunOptions) => ({
  args: args.map(digest),
  input: options.input === undefined ? null : digest(options.input.toString("latin1")),
  env: null
})

/**
 * GNU parallel's status and stdout with its lines sorted: where its own order
 * varies from run to run, the recording holds what does not.
 */
const unordered = (name: string, args: ReadonlyArray<string>, options: RunOptions) =>
  recorded(suite, name, callOf(args, options), async () => {
    const result = await parallel(args, options)
    return { status: result.status, stdout: sortedLines(result.stdout) }
  })

/** fanout's status and stdout equal GNU parallel's, as `compare` says. */
const same = (name: string, args: ReadonlyArray<string>, options: RunOptions = {}, compare: Compare = "exact") =>
  it(name, async () => {
    if (compare === "sorted") {
      const [ours, theirs] = await Promise.all([fanout(args, options), unordered(name, args, options)])
      expect({ status: ours.status, stdout: sortedLines(ours.stdout) }).toEqual(theirs)
      return
    }
    const [ours, theirs] = await Promise.all([fanout(args, options), recordedParallel(suite, name, args, options)])
    expect(ours.status, ours.stderr).toBe(theirs.status)
    if (compare === "exact") expect(digest(ours.stdout)).toBe(theirs.stdout)
  })

const fasta = ">a\nAC\nGT\n>b\nTT\n>c\nGG\nCC\nAA\n"

describe("--pipe: blocks at record ends", () => {
  same("--block cuts at the last newline before it", ["--pipe", "--block", "10k", "-k", "wc", "-l"], {
    input: seq(1, 20000)
  })
  same("--block with a suffix of 1000s", ["--pipe", "--block", "3k", "-k", "wc", "-c"], { input: seq(1, 3000) })
  same("blocks of 1M by default", ["--pipe", "-k", "wc", "-l"], { input: seq(1, 300000) })
  same(
    "unordered, the same blocks",
    ["--pipe", "--block", "10k", "-j3", "wc", "-l"],
    { input: seq(1, 20000) },
    "sorted"
  )
  same("a record longer than the block", ["--pipe", "--block", "10", "-k", "wc", "-c"], {
    input: "x".repeat(100) + "\nshort\n"
  }, "sorted")
  same("-N gives n records a job", ["--pipe", "-N", "300", "-k", "wc", "-l"], { input: seq(1, 1000) })
  same("-N: input that ends mid-record", ["--pipe", "-N2", "-k", "cat; echo ."], { input: "a\nb\nc\nd\ne" })
  same("-L makes a record n lines", ["--pipe", "-L", "3", "--block", "20", "-k", "cat; echo ."], { input: seq(1, 14) })
  same("-L: input that ends mid-record", ["--pipe", "-L", "2", "-k", "cat; echo ."], { input: "1\n2\n3" })
  same("--header : goes before every block", ["--pipe", "--header", ":", "-N", "2", "-k", "cat"], {
    input: "name,n\na,1\nb,2\nc,3\n"
  })
  same("--header N lines", ["--pipe", "--header", "2", "--block", "10", "-k", "cat"], {
    input: "h1\nh2\n" + seq(1, 12)
  })
  same(
    "--header REGEX: what it matches at the start",
    ["--pipe", "--header", "(#.*\\n)+", "-N2", "-k", "cat; echo ."],
    {
      input: "# a\n# b\n1\n2\n3\n"
    }
  )
  same("--header REGEX that does not match: no header", ["--pipe", "--header", "x+", "-N2", "-k", "cat; echo ."], {
    input: "1\n2\n3\n"
  })
  same("--header REGEX tried a block at a time", ["--pipe", "--header", "(h.\\n)+", "--block", "4", "-k", "cat"], {
    input: "h1\nh2\na\nb\n"
  })
  same("--recstart", ["--pipe", "--recstart", ">", "-N", "1", "-k", "cat; echo ."], { input: fasta })
  same("--recstart --remove-rec-sep", ["--pipe", "--recstart", ">", "-N1", "--remove-rec-sep", "-k", "cat"], {
    input: fasta
  })
  same("--recend with \\0", ["--pipe", "--recend", "\\0", "-N", "2", "-k", "tr '\\0' '|'; echo"], {
    input: "a\0b\0c\0d\0e\0"
  })
  same("--recend: input that ends mid-record", ["--pipe", "--recend", "XX", "--block", "4", "-k", "cat; echo"], {
    input: "aXXbXXcXXd"
  })
  same("--recstart and --recend", ["--pipe", "--recstart", "<", "--recend", ">\\n", "-N1", "-k", "wc -c"], {
    input: "<a>\n<b\n>\n<c>\n"
  })
  same("--regexp", ["--pipe", "--regexp", "--recstart", ">+", "--block", "12", "-k", "cat; echo ."], {
    input: ">a\nx\n>>b\ny\n>c\nz\n>>>d\n"
  })
  same("--regexp -N", ["--pipe", "--regexp", "--recstart", "^[A-Z]", "-N", "2", "-k", "cat; echo ."], {
    input: "junk\nAx\ny\nBz\nCq\nr\nD\n"
  })
  same(
    "--regexp: input that ends mid-record",
    ["--pipe", "--regexp", "--recend", "[0-9]\\n", "-N1", "-k", "cat; echo"],
    {
      input: "a1\nb2\nc"
    }
  )
  same("bytes that are not UTF-8 pass as they are", ["--pipe", "--block", "4", "-k", "od -An -tx1"], {
    input: Buffer.from([0xff, 0xfe, 0x0a, 0x80, 0x0a, 0xc3, 0x28, 0x0a])
  })
})

describe("--pipe: jobs", () => {
  same("{#} and {%}", ["--pipe", "-N1", "-j1", "-k", "echo {#} {%}; cat"], { input: "a\nb\nc\n" })
  same("{} is empty without --cat", ["--pipe", "-N1", "-k", "echo x{}y; cat"], { input: "a\n" })
  same("-k prints in block order whatever ends first", ["--pipe", "-N1", "-j3", "-k", "read x; sleep 0.$x; echo $x"], {
    input: "3\n2\n1\n"
  })
  same("--cat: {} is a file holding the block", ["--pipe", "--cat", "-N", "2", "-k", "wc -l < {}; cat"], {
    input: seq(1, 5)
  })
  same("--fifo: {} is a fifo the block comes through", ["--pipe", "--fifo", "-N", "2", "-k", "wc -l < {}"], {
    input: seq(1, 5)
  })
  same("--cat alone means --pipe", ["--cat", "-N3", "-k", "cat {}"], { input: seq(1, 7) })
  same("--round-robin with fewer blocks than slots", ["--pipe", "--round-robin", "-j4", "wc", "-l"], {
    input: seq(1, 3)
  })
  it("--round-robin deals every line, once", async () => {
    const args = ["--pipe", "--round-robin", "-j3", "--block", "10k", "wc", "-l"]
    const input = seq(1, 20000)
    // Which job gets which block varies, in GNU parallel too: the jobs and the lines in all do not.
    const shape = (result: { status: number | null; stdout: string }) => ({
      status: result.status,
      jobs: result.stdout.trim().split("\n").length,
      lines: result.stdout.trim().split("\n").reduce((sum, n) => sum + Number(n), 0)
    })
    const theirs = recorded(
      suite,
      "--round-robin deals every line, once",
      callOf(args, { input }),
      async () => shape(await parallel(args, { input }))
    )
    const [ours, recordedShape] = await Promise.all([fanout(args, { input }), theirs])
    expect(shape(ours)).toEqual(recordedShape)
  })
  same("--dry-run prints each block's command", ["--pipe", "-N1", "--dry-run", "-k", "echo {#}"], {
    input: "a\nb\nc\n"
  })
  same("empty input runs no job", ["--pipe", "echo", "ran"], { input: "" })
  same("a failing job counts as failed", ["--pipe", "-N1", "exit", "3"], { input: "a\nb\n" })
  it("a job that leaves its block unread dies of SIGPIPE", async () => {
    const args = ["--pipe", "--block", "1M", "-j2", "head -c 3"]
    const input = seq(1, 600000)
    const failed = (status: number | null) => ({ failed: status !== null && status > 0 && status <= 4 })
    const theirs = recorded(
      suite,
      "a job that leaves its block unread",
      callOf(args, { input }),
      async () => failed((await parallel(args, { input })).status)
    )
    const [ours, gnu] = await Promise.all([fanout(args, { input }), theirs])
    expect(failed(ours.status)).toEqual(gnu)
    expect(ours.status).toBe(4)
  })
  same("--pipe with no command is an error", ["--pipe"], { input: "a\n" }, "status")
  same("--block 0 is the default", ["--pipe", "--block", "0", "-k", "wc", "-l"], { input: seq(1, 300000) })
  same("--block x is an error", ["--pipe", "--block", "x", "cat"], { input: "a\n" }, "status")
})

describe("--pipepart -a FILE", () => {
  const dir = tempDir("fanout-")
  const lines = path.join(dir, "lines")
  fs.writeFileSync(lines, seq(1, 30000))
  const withHeader = path.join(dir, "header.csv")
  fs.writeFileSync(withHeader, "name,n\n" + seq(1, 50).replace(/\n/g, ",x\n"))
  const records = path.join(dir, "records.fa")
  fs.writeFileSync(records, fasta.repeat(200))
  const commented = path.join(dir, "commented")
  fs.writeFileSync(commented, "#a\n#b\n" + seq(1, 40))
  const part = (name: string, file: string, args: ReadonlyArray<string>, compare: Compare = "exact") =>
    same(name, args.map((arg) => (arg === "FILE" ? file : arg)), {}, compare)

  part("parts of --block size", lines, ["--pipepart", "-a", "FILE", "--block", "10k", "-k", "wc", "-l"])
  part("--block -N: N parts a slot", lines, ["--pipepart", "-a", "FILE", "--block", "-2", "-j2", "-k", "wc", "-l"])
  part("the default: 10 parts a slot", lines, ["--pipepart", "-a", "FILE", "-j3", "-k", "wc", "-l"])
  part("unordered", lines, ["--pipepart", "-a", "FILE", "--block", "20k", "-j2", "wc", "-l"], "sorted")
  part("--header : goes before every part", withHeader, [
    "--pipepart",
    "-a",
    "FILE",
    "--header",
    ":",
    "--block",
    "60",
    "-k",
    "awk 'NR<=2'"
  ])
  part("--pipepart --header REGEX: what it matches goes before every part", commented, [
    "--pipepart",
    "-a",
    "FILE",
    "--header",
    "(#.*\\n)+",
    "--block",
    "20",
    "-k",
    "cat; echo ."
  ])
  part("--pipepart --header REGEX that does not match: no header", commented, [
    "--pipepart",
    "-a",
    "FILE",
    "--header",
    "x+",
    "--block",
    "20",
    "-k",
    "cat; echo ."
  ])
  part("--pipepart --recstart", records, [
    "--pipepart",
    "-a",
    "FILE",
    "--recstart",
    ">",
    "--block",
    "500",
    "-k",
    "wc -c"
  ])
  part("--pipepart --regexp", records, [
    "--pipepart",
    "-a",
    "FILE",
    "--regexp",
    "--recstart",
    ">[ab]",
    "--block",
    "700",
    "-k",
    "wc -c"
  ])
  part("{#} and --cat", lines, ["--pipepart", "-a", "FILE", "--block", "50k", "--cat", "-k", "echo {#}; wc -l < {}"])
  part("--dry-run prints each part's command", lines, [
    "--pipepart",
    "-a",
    "FILE",
    "--block",
    "50k",
    "--dry-run",
    "wc -l"
  ])
  part("a missing file is an error", path.join(dir, "none"), ["--pipepart", "-a", "FILE", "cat"], "status")
  part("-N is an error", lines, ["--pipepart", "-a", "FILE", "-N", "2", "cat"], "status")
  same("stdin is an error", ["--pipepart", "-a", "-", "cat"], { input: "a\n" }, "status")
})
