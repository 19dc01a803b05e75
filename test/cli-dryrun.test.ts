/**
 * `fanout --dry-run` against `parallel --dry-run` (GNU parallel live where it is
 * installed, else its recording): the same stdout and exit status for templates, quoting, sources,
 * cartesian order, --link, --colsep, -0, -d and no-command mode.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fanout, tempDir } from "./fixtures/cli/fanout.js"
import { digest, recordedParallel } from "./fixtures/gnuParallel.js"

const dir = tempDir()
fs.writeFileSync(path.join(dir, "A"), "f1\nf 2\n")
fs.writeFileSync(path.join(dir, "B"), "x\ny")
fs.writeFileSync(path.join(dir, "csv"), "a,b,c\n d , e ,f\n")
fs.writeFileSync(path.join(dir, "My brother's 12\" *** record  (costs $$$).jpg"), "")

interface Case {
  readonly name: string
  readonly args: ReadonlyArray<string>
  readonly input?: string
}

const special = [
  "a b",
  "$HOME",
  "`id`",
  "it's",
  "*",
  "a\"b",
  "",
  "tab\there",
  "é",
  "~x",
  "a\\b",
  "!x",
  ";",
  "|",
  "&&",
  ">",
  "(x)",
  "{}",
  "-n",
  "'q'",
  "x y z  "
]

const cases: ReadonlyArray<Case> = [
  { name: "SPCCHAR args", args: ["echo", ":::", ...special] },
  { name: "SPCCHAR on stdin", args: ["ls", "-l"], input: "My brother's 12\" *** record  (costs $$$).jpg\n" },
  { name: "COMPOSED", args: ["echo", "foo;", "echo", "{}"], input: "bar\n" },
  { name: "ONEREP", args: ["echo", "{}", "foo", "{}"], input: "bar\n" },
  { name: "{} inside single quotes is not special", args: ["echo", "'{}'", ":::", "a", "b c"] },
  { name: "{} inside double quotes", args: ["echo \"{}\"", ":::", "a b", "$x"] },
  { name: "replacement inside a word", args: ["echo", "x{}y", "pre{.}.jpg", ":::", "a b.png", "c"] },
  {
    name: "path replacements",
    args: [
      "echo",
      "{}",
      "{.}",
      "{/}",
      "{//}",
      "{/.}",
      ":::",
      "a/b.c/d.e.f",
      "x.y",
      "/z",
      "plain",
      "./p",
      "dir/",
      ".hidden",
      "a..b",
      "",
      "//x",
      "a/.b",
      "/"
    ]
  },
  {
    name: "positional replacements",
    args: ["echo", "{1}", "{2}", "{-1}", "{1.}", "{2/}", "{1//}", "{2/.}", ":::", "d/a.x", "q", ":::", "e/f/g.h"]
  },
  { name: "out-of-range positional", args: ["echo", "{3}x{1}", ":::", "a", ":::", "b"] },
  { name: "{#} and {%} at -j 1", args: ["-j", "1", "echo", "{#}", "{%}", ":::", "a", "b", "c"] },
  // {%} at -j 2 or more is not compared: GNU parallel's dry-run slots race (1 2 1 2 … or 1 1 2 1 2 …); see below.
  { name: "{#} at -j 3", args: ["-j3", "echo", "{#}", ":::", "1", "2", "3", "4", "5", "6", "7"] },
  { name: "{#} and {%} at -j 0", args: ["-j0", "echo", "{#}-{%}", ":::", "1", "2", "3", "4", "5"] },
  { name: "{#} suppresses appending", args: ["echo", "{#}", ":::", "a", "b"] },
  { name: "args appended when no replacement string", args: ["echo", "-n", ":::", "a b", "c"] },
  { name: "cartesian product of two sources", args: ["echo", ":::", "a", "b", ":::", "1", "2", "3"] },
  {
    name: "cartesian product of three sources",
    args: ["echo", "{3}{2}{1}", ":::", "a", "b", ":::", "1", "2", ":::", "x", "y"]
  },
  { name: "{} with several sources", args: ["echo", "{}", "=", "{.}", ":::", "a.x", "b", ":::", "c d.y"] },
  {
    name: "--link recycles the shorter source",
    args: ["--link", "echo", "{1}-{2}", ":::", "a", "b", "c", ":::", "1", "2"]
  },
  { name: "--xapply", args: ["--xapply", "echo", ":::", "a", "b", ":::", "1", "2", "3", "4", "5"] },
  {
    name: ":::+ links to the previous source",
    args: ["echo", ":::", "a", "b", "c", ":::+", "1", "2", ":::", "x", "y"]
  },
  { name: ":::: files", args: ["echo", "::::", path.join(dir, "A"), path.join(dir, "B")] },
  { name: "-a files, repeated", args: ["-a", path.join(dir, "A"), "--arg-file", path.join(dir, "B"), "echo"] },
  { name: "-a before ::: sources", args: ["-a", path.join(dir, "A"), "echo", ":::", "q", "r"] },
  { name: ":::: - is stdin", args: ["echo", "::::", "-", ":::", "q"], input: "in\n" },
  { name: "-a - is stdin", args: ["-a", "-", "echo", "{}{}"], input: "in\nput\n" },
  { name: "stdin ignored when ::: is given", args: ["echo", ":::", "q"], input: "ignored\n" },
  { name: "stdin: whitespace kept, empty lines, no final newline", args: ["echo"], input: "a b\tc d\n e f \n\nlast" },
  { name: "stdin: CR kept", args: ["echo"], input: "a\r\nb\n" },
  { name: "stdin: empty", args: ["echo"], input: "" },
  { name: "-0", args: ["-0", "echo"], input: "a\0b c\0d\ne\0" },
  { name: "--null", args: ["--null", "echo", "{}"], input: "x y\0" },
  { name: "-d ,", args: ["-d", ",", "echo"], input: "a,b c,,d\n" },
  { name: "-d \\t", args: ["-d", "\\t", "echo"], input: "a\tb\n" },
  { name: "-d multi-character", args: ["-d", "XY", "echo"], input: "aXYbXXYc" },
  { name: "-d \\0", args: ["-d", "\\0", "echo"], input: "a\0b" },
  { name: "-d \\n", args: ["-d", "\\n", "echo"], input: "a\\nb\nc\n" },
  { name: "--colsep with positions", args: ["--colsep", ",", "echo", "{3}", "{1}"], input: "a,b,c\nd,e,f\n" },
  { name: "--colsep appends all columns", args: ["--colsep", ",", "echo"], input: "a,b c,d\n" },
  { name: "--colsep trims columns", args: ["--colsep", ",", "echo", "{1}x{2}"], input: " a , b \n" },
  { name: "--colsep regex", args: ["--colsep", "\\s+", "echo", "{2}"], input: "a   b c\n" },
  { name: "--colsep {} and {1}", args: ["--colsep", ",", "echo", "{}", "{1}"], input: "a,b\n" },
  { name: "--colsep on ::: args", args: ["--colsep", ",", "echo", "{2}", ":::", "a,b", "c,d", ":::", "e,f"] },
  { name: "-C and -a", args: ["-C", ",", "-a", path.join(dir, "csv"), "echo", "{2}/{3}"] },
  { name: "no command: each line is the command", args: [], input: "echo a; echo b\nls \"x y\" '*'\n" },
  { name: "no command with ::: ", args: [":::", "echo a", "echo \"b c\""] },
  { name: "no command, two sources joined", args: [":::", "echo a", ":::", "x y"] },
  { name: "-- ends our options", args: ["--", "echo", "-j", "2", ":::", "a"] },
  { name: "options of the command pass through", args: ["-j2", "grep", "-v", "foo", ":::", "a.txt"] },
  { name: "--version of the command passes through", args: ["echo", "--version", ":::", "a"] },
  { name: "bundled and abbreviated options", args: ["-kj2", "--dry", "echo", ":::", "a"] },
  { name: "empty :::", args: ["echo", ":::"] },
  { name: "a ::: arg with a newline splits", args: ["echo", ":::", "a\nb"] },
  { name: "template words keep their spaces", args: ["echo 'a  b'", "{}", ":::", "c"] },
  { name: "NUMWORDS", args: ["echo"], input: Array.from({ length: 1000 }, (_, i) => `w${i}`).join(" ") + "\n" },
  { name: "INPUTSIZE", args: ["echo", "{.}"], input: "foo." + "x".repeat(10_000_000) },
  {
    // 300, not thousands: GNU parallel's dry run costs 10-25 ms per job on a 2-core CI
    // machine (2,000 took 50 s), close to the test's 60 s limit.
    name: "many inputs",
    args: ["echo", "{#}", "{}"],
    input: Array.from({ length: 300 }, (_, i) => `line ${i}`).join("\n")
  }
]

describe("fanout --dry-run prints what parallel --dry-run prints", () => {
  for (const c of cases) {
    it(c.name, async () => {
      // -k: GNU parallel's dry-run order is a race without it (fanout's is input order either way).
      const args = ["--dry-run", "-k", ...c.args]
      const options = c.input === undefined ? { cwd: dir } : { cwd: dir, input: c.input }
      const ours = await fanout(args, options)
      const theirs = await recordedParallel("cli-dryrun", c.name, args, options)
      expect(ours.stderr).toBe("")
      expect(digest(ours.stdout)).toBe(theirs.stdout)
      expect(ours.status).toBe(theirs.status)
    })
  }
})

describe("fanout --dry-run on its own", () => {
  it("{%} at -j 3 takes slots 1 and 2 in turn, GNU parallel's usual dry-run output", async () => {
    const result = await fanout(["--dry-run", "-j3", "echo", "{#}-{%}", ":::", "1", "2", "3", "4", "5"])
    expect(result.stdout).toBe("echo 1-1\necho 2-2\necho 3-1\necho 4-2\necho 5-1\n")
  })

  it("with --results, prints the commands and writes no file (GNU parallel writes .seq and .err files)", async () => {
    const cwd = fs.mkdtempSync(path.join(dir, "results-"))
    const result = await fanout(["--dry-run", "--results", "out/{}", "echo", ":::", "a", "b"], { cwd })
    expect(result.stdout).toBe("echo a\necho b\n")
    expect(result.status).toBe(0)
    expect(fs.readdirSync(cwd)).toEqual([])
  })

  it("reads stdin lazily: the first line is out before the input ends", async () => {
    const { spawnFanout } = await import("./fixtures/cli/fanout.js")
    const child = spawnFanout(["--dry-run", "echo"])
    child.stdin.write("first\n")
    const first = await new Promise<string>((resolve) => child.stdout.once("data", (data) => resolve(String(data))))
    expect(first).toBe("echo first\n")
    child.stdin.end("second\n")
    const status = await new Promise<number | null>((resolve) => child.once("exit", resolve))
    expect(status).toBe(0)
  })
})
