import { describe, expect, it } from "@effect/vitest"
import { applyNames, columnNames } from "../src/internal/header.js"
import { counted, defaultMaxChars, group, type Grouping } from "../src/internal/jobs.js"
import { rulesOf } from "../src/internal/replacements.js"
import { type Job, parse, render, type TemplateOptions } from "../src/internal/template.js"

const options = (context = false): TemplateOptions => ({
  rules: rulesOf({ plus: true, spellings: [] }),
  context,
  quoteAll: false,
  trim: "n"
})

const grouping = (extra: Partial<Grouping> = {}): Grouping => ({
  maxArgs: 1,
  noArgs: false,
  spread: false,
  maxChars: defaultMaxChars,
  slots: 4,
  ...extra
})

/** In batches of 3, as inputs are read in chunks. */
async function* records(values: ReadonlyArray<ReadonlyArray<string>>) {
  for (let i = 0; i < values.length; i += 3) yield values.slice(i, i + 3)
}

const lines = async (
  command: ReadonlyArray<string>,
  inputs: ReadonlyArray<string | ReadonlyArray<string>>,
  extra: Partial<Grouping> = {},
  context = false
) => {
  const template = parse(command, options(context))
  let jobs: AsyncIterable<Job> = group(
    records(inputs.map((input) => typeof input === "string" ? [input] : input)),
    template,
    grouping(extra)
  )
  if (template.needsTotal) jobs = await counted(jobs)
  const out: Array<string> = []
  for await (const job of jobs) out.push(render(template, job))
  return out
}

const numbers = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1))

describe("records to jobs", () => {
  it("takes one record a job by default, N with -n, the rest in the last", async () => {
    expect(await lines(["echo"], ["a", "b"])).toEqual(["echo a", "echo b"])
    expect(await lines(["echo"], ["a", "b", "c", "d", "e"], { maxArgs: 2 })).toEqual([
      "echo a b",
      "echo c d",
      "echo e"
    ])
  })

  it("runs -n0's command once a record, without its input", async () => {
    expect(await lines(["echo", "x", "{#}"], ["a", "b"], { noArgs: true })).toEqual(["echo x 1", "echo x 2"])
  })

  it("flattens the records of a job: {N} counts across them", async () => {
    expect(await lines(["echo", "{1}", "{2}", "{3}", "{4}"], [["a", "1"], ["a", "2"]], { maxArgs: 2 })).toEqual([
      "echo a 1 a 2"
    ])
    expect(await lines(["echo", "{1}-{2}"], ["a", "b", "c"], { maxArgs: 2 }, true)).toEqual(["echo a-b", "echo c-"])
  })

  it("fills lines up to -s and spreads the last inputs over the slots (-X, -m)", async () => {
    expect(await lines(["echo"], ["aaa", "bbb", "ccc", "ddd"], { maxArgs: undefined, maxChars: 13 })).toEqual([
      "echo aaa bbb",
      "echo ccc ddd"
    ])
    expect(await lines(["echo"], numbers(10), { maxArgs: undefined, spread: true })).toEqual([
      "echo 1 2 3",
      "echo 4 5 6",
      "echo 7 8 9",
      "echo 10"
    ])
    expect(await lines(["echo"], numbers(10), { maxArgs: undefined })).toEqual([`echo ${numbers(10).join(" ")}`])
  })

  it("fills a line of the default length with many inputs, never past it", async () => {
    const out = await lines(["echo", "x{}y"], numbers(30000), { maxArgs: undefined, spread: true }, true)
    expect(out.every((line) => line.length < defaultMaxChars)).toBe(true)
    expect(out[0].length).toBeGreaterThan(defaultMaxChars - 10)
    expect(out.join(" ").split(" ").filter((word) => word !== "echo").length).toBe(30000)
  })

  it("fails naming the input whose line alone is too long", async () => {
    await expect(lines(["echo"], ["a", "bbbbbbbbbb"], { maxChars: 10 })).rejects.toThrow(
      "command line too long (15 >= 10 characters, see -s) at input 2: bbbbbbbbbb"
    )
  })

  it("counts the jobs for {##} and {0#}", async () => {
    expect(await lines(["echo", "{0#}/{##}"], numbers(10), { maxArgs: 3 })).toEqual([
      "echo 1/4",
      "echo 2/4",
      "echo 3/4",
      "echo 4/4"
    ])
    const padded = await lines(["echo", "{0#}/{##}"], numbers(30), { maxArgs: 3 })
    expect([padded[0], padded[9]]).toEqual(["echo 01/10", "echo 10/10"])
  })
})

describe("--header", () => {
  it("names each source's columns, counting across sources, then files by name", () => {
    const sources = [[{ _tag: "Args" as const, values: [] }], [{ _tag: "File" as const, path: "f.tsv" }]]
    const names = columnNames(["x", "name\tage"], /\t/, sources)
    expect(names).toEqual([["x", 1], ["name", 2], ["age", 3], ["f.tsv", 1]])
    expect(applyNames("{x} {age.} {name//} {f.tsv} {nope} {x+}", names)).toBe("{1} {3.} {2//} {1} {nope} {x+}")
  })

  it("drops trailing empty names and a CR, as Perl's split and GNU parallel do", () => {
    expect(columnNames(["a,,b,,\r"], /,/, [])).toEqual([["a", 1], ["", 2], ["b", 3]])
  })
})
