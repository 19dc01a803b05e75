/**
 * `--results` and `--files` (issue 13), end to end against GNU parallel 20221122
 * (live, or its recording): the same tree of files, the same rows (times aside).
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fanout, parallel, type RunOptions, tempDir } from "./fixtures/cli/fanout.js"
import { digest, recorded } from "./fixtures/gnuParallel.js"

const suite = "cli-results"

/** Every file under `dir` with its content, by relative path. */
const tree = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name)
      if (entry.isDirectory()) walk(full)
      else out[path.relative(dir, full)] = fs.readFileSync(full, "latin1")
    }
  }
  walk(dir)
  return out
}

/** Times differ run to run: Starttime and JobRuntime become `T`. */
const timeless = (text: string) =>
  text.replace(/^(\d+[,\t]:[,\t])[0-9.]+([,\t])[0-9.]+/gm, "$1T$2T")
    .replace(/"Starttime": [0-9.]+, "JobRuntime": [0-9.]+/g, "\"Starttime\": T, \"JobRuntime\": T")

/** Rows in Seq order: both write a row as its job ends. The CSV header stays first. */
const bySeq = (text: string) => {
  const parts = timeless(text).replace(/\n$/, "").split(/\n(?=\d+[,\t]|\{)/)
  const seqOf = (row: string) => parseInt(row.replace(/^\{ "Seq": /, ""))
  const head = parts[0]?.startsWith("Seq") === true ? [parts.shift()!] : []
  return [...head, ...parts.sort((a, b) => seqOf(a) - seqOf(b))]
}

const call = (args: ReadonlyArray<string>, options: RunOptions) => ({
  args: args.map(digest),
  input: options.input === undefined ? null : digest(options.input.toString("latin1")),
  env: null
})

/** Runs a tool with `RESULTS` in its arguments replaced by a fresh place, and observes what it left there. */
const observe = async (
  tool: typeof fanout,
  args: ReadonlyArray<string>,
  options: RunOptions,
  target: string,
  read: (place: string) => unknown
) => {
  const dir = tempDir("fanout-")
  const place = path.join(dir, target)
  const result = await tool(args.map((arg) => arg.replace("RESULTS", place)), { ...options, cwd: dir })
  return { status: result.status, stdout: result.stdout, left: read(place) }
}

const sameResults = (
  name: string,
  args: ReadonlyArray<string>,
  options: RunOptions,
  target: string,
  read: (place: string) => unknown
) =>
  it(name, async () => {
    const [ours, theirs] = await Promise.all([
      observe(fanout, args, options, target, read),
      recorded(suite, name, call(args, options), async () =>
        JSON.parse(JSON.stringify(await observe(parallel, args, options, target, read))))
    ])
    expect(ours).toEqual(theirs)
  })

describe("--results DIR: GNU parallel's tree", () => {
  sameResults(
    "one input source",
    ["--results", "RESULTS", "echo {}; echo e{} >&2", ":::", "a", "b/c", "d e"],
    {},
    "out",
    tree
  )
  sameResults("two input sources", ["--results", "RESULTS", "echo", ":::", "a", "b", ":::", "x"], {}, "out", tree)
  sameResults("a failing job", ["--results", "RESULTS", "echo {}; exit 2", ":::", "a"], {}, "out", tree)
  sameResults(
    "--pipe",
    ["--pipe", "-N1", "-j1", "--results", "RESULTS", "cat"],
    { input: "x\ny\n" },
    "out",
    (place) => Object.keys(tree(place)).sort()
  )
})

describe("--results NAME with replacement strings: NAME, NAME.err, NAME.seq", () => {
  sameResults(
    "a file per job, inputs as they are",
    ["--results", "RESULTS/{1}/{2}", "echo out {1} {2}; echo err {1} >&2", ":::", "a", "b/c", "d e", ":::", "x"],
    {},
    "out",
    tree
  )
  sameResults(
    "a name ending in / is a directory",
    ["--results", "RESULTS/{}/", "echo {}", ":::", "a", "b"],
    {},
    "out",
    tree
  )
  sameResults("{#} and {%}", ["-j1", "--results", "RESULTS/s{#}-{%}.txt", "echo {}", ":::", "a", "b"], {}, "out", tree)
  sameResults("with -I", ["-I", "@@", "--results", "RESULTS/@@", "echo @@", ":::", "a"], {}, "out", tree)
  it("{##} in the name is refused by name (GNU parallel reads every input first)", async () => {
    const dir = tempDir("fanout-")
    const result = await fanout(["--plus", "--results", `${dir}/x{##}`, "echo", ":::", "a"])
    expect(result.status).toBe(255)
    expect(result.stderr).toBe(
      `fanout: --results: expected a name without {##} (the number of jobs is not known when the first one starts), got '${dir}/x{##}'\n`
    )
  })
})

describe("--results name.csv|.tsv|.json", () => {
  const rows = (place: string) => bySeq(fs.readFileSync(place, "latin1"))
  sameResults("csv", ["--results", "RESULTS", "echo {}; echo err >&2", ":::", "a", "b,\"c", "d e"], {}, "r.csv", rows)
  sameResults("tsv", ["--results", "RESULTS", "printf '%s\\t' {}", ":::", "a", "b c"], {}, "r.tsv", rows)
  sameResults("json", ["--results", "RESULTS", "echo {}", ":::", "a", "b\"\\"], {}, "r.json", rows)
  sameResults(
    "csv with --pipe",
    ["--pipe", "-N1", "--results", "RESULTS", "cat"],
    { input: "1\n2\n3\n" },
    "r.csv",
    rows
  )
  sameResults("a job killed by a signal", ["--results", "RESULTS", "kill -TERM $$", ":::", "a"], {}, "r.csv", rows)
  it("-.csv writes the rows to stdout", async () => {
    const args = ["--results", "-.csv", "-k", "echo", ":::", "a", "b"]
    const [ours, theirs] = await Promise.all([
      fanout(args),
      recorded(suite, "-.csv", call(args, {}), async () => bySeq((await parallel(args)).stdout))
    ])
    expect(bySeq(ours.stdout)).toEqual(theirs)
  })
})

describe("--files", () => {
  it("prints the name of each job's output file", async () => {
    const dir = tempDir("fanout-")
    const ours = await fanout(["--files", "--tmpdir", dir, "-k", "echo", ":::", "a", "b"])
    const names = ours.stdout.trim().split("\n")
    expect(names).toHaveLength(2)
    for (const name of names) expect(name).toMatch(new RegExp(`^${dir}/par[A-Za-z0-9]{5}\\.par$`))
    expect(names.map((name) => fs.readFileSync(name, "utf8")).sort()).toEqual(["a\n", "b\n"])
  })
})
