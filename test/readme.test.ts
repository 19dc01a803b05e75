import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "vitest"

// Every ```ts block of the README is a whole program: it must run and exit 0.
// The blocks are written next to the tests so their imports resolve the workspace packages.
const readme = readFileSync("README.md", "utf8")
const blocks = Array.from(readme.matchAll(/```ts\n([\s\S]*?)```/g), (match) => match[1]!)
const dir = mkdtempSync(join("test", ".readme-"))
// A ```js block that starts with `// NAME.mjs` is a module the examples import: written beside them.
for (const [, name, code] of readme.matchAll(/```js\n\/\/ ([\w-]+\.mjs)\b[^\n]*\n([\s\S]*?)```/g)) {
  writeFileSync(join(dir, name!), code!)
}
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("README", () => {
  it("has TypeScript examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2)
  })

  it.each(blocks.map((code, i) => [i + 1, code] as const))("TypeScript example %i runs", async (i, code) => {
    const file = join(dir, `example-${i}.ts`)
    writeFileSync(file, code)
    const { stdout } = await promisify(execFile)("node", ["--import", "tsx", file], {
      encoding: "utf8",
      timeout: 60_000
    })
    if (code.includes("exit status")) expect(stdout).toContain("exit status 0")
  })

  it("TypeScript examples type-check (strict, as the project)", async () => {
    blocks.forEach((code, i) => writeFileSync(join(dir, `example-${i + 1}.ts`), code))
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../../tsconfig.base.json",
        compilerOptions: { noUnusedLocals: false, allowJs: true },
        include: ["*.ts"]
      })
    )
    await promisify(execFile)("node", ["node_modules/typescript/bin/tsc", "-p", join(dir, "tsconfig.json")], {
      encoding: "utf8",
      timeout: 120_000
    })
  })
})
