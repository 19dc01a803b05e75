import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { describeProblem, examplesOf, exportedNames, extractExamples, typeCheck } from "./fixtures/jsdocExamples.js"

// The JSDoc examples are documentation a user copies: each one must compile, strict, against the
// workspace's packages. One TypeScript program checks them all (a few seconds), no emit, no network.
const root = fileURLToPath(new URL("../", import.meta.url))

/** The public modules: each library's `src/*.ts` (not `internal/`), and the CLI's library entry. */
const publicModules = [
  ...["pool", "shell", "threads"].flatMap((pkg) =>
    readdirSync(`${root}packages/${pkg}/src`)
      .filter((name) => name.endsWith(".ts"))
      .map((name) => `packages/${pkg}/src/${name}`)
  ),
  "packages/cli/src/Fanout.ts"
]

describe("JSDoc examples", () => {
  const examples = examplesOf(root, publicModules)

  it("are found in every package", () => {
    for (const pkg of ["pool", "shell", "threads", "cli"]) {
      expect(examples.filter((e) => e.file.startsWith(`packages/${pkg}/`)).length, pkg).toBeGreaterThan(0)
    }
    // every documented member is found, nested ones included (a static of a class, a member of an interface)
    const owners = examples.map((e) => e.owner)
    expect(owners).toContain("WorkerPool.make")
    expect(owners).toContain("ApplyInParallel.stream")
  })

  it("document every export of @fanout/pool and @fanout/threads with one", () => {
    const enforced = publicModules.filter((file) => /^packages\/(pool|threads)\//.test(file))
    const missing = enforced.flatMap((file) => {
      const owners = new Set(examples.filter((e) => e.file === file).map((e) => e.owner))
      return exportedNames(file, readFileSync(`${root}${file}`, "utf8"))
        .filter((name) => !owners.has(name))
        .map((name) => `${file}: ${name}`)
    })
    expect(missing).toEqual([])
  })

  it("type-check against the workspace's packages", () => {
    const problems = typeCheck(root, examples)
    expect(problems.map((problem) => describeProblem(root, problem))).toEqual([])
  })

  it("a broken example is reported with where it is and what it documents", () => {
    const broken = extractExamples(
      "packages/pool/src/Broken.ts",
      [
        "/**",
        " * @example",
        " * ```ts",
        " * import { applyInParallel } from \"@fanout/pool\"",
        " *",
        " * const n: string = applyInParallel",
        " * ```",
        " */",
        "export const broken = 1"
      ].join("\n")
    )
    expect(broken).toHaveLength(1)
    const problems = typeCheck(root, broken).map((problem) => describeProblem(root, problem))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^packages\/pool\/src\/Broken\.ts:2 \(broken\): line 3 of the example: TS2322 /)
  })
})
