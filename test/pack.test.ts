/**
 * What an outside user does: `pnpm pack` every package, check the tarballs (file lists,
 * manifests, publint --strict, arethetypeswrong), install them with npm into an empty
 * directory outside the workspace, then run an ES-module program using applyInParallel,
 * WorkerPool and Batch, require() the libraries from CommonJS, type-check the program under
 * moduleResolution nodenext, count the copies of effect, and run the CLI with npx and from a
 * global install. It needs the npm registry (for effect and @types/node): without it the
 * install fails and so does this test.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { beforeAll, describe, expect, it } from "vitest"
import { root } from "./fixtures/cli/fanout.js"

const exec = promisify(execFile)
const fixtures = path.join(root, "test/fixtures/pack")
const bin = (name: string) => path.join(root, "node_modules/.bin", name)

/** Runs a command to the end (asynchronously: a synchronous spawn blocks the vitest worker). */
const run = async (command: string, args: ReadonlyArray<string>, cwd: string) => {
  try {
    const { stderr, stdout } = await exec(command, args, {
      cwd,
      encoding: "utf8",
      timeout: 240_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, npm_config_update_notifier: "false" }
    })
    return { stdout, stderr }
  } catch (error) {
    const { stderr, stdout } = error as { stdout?: string; stderr?: string }
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) failed:\n${stdout ?? ""}\n${stderr ?? ""}`)
  }
}

const packages = ["pool", "shell", "threads", "cli"] as const
const out = fs.mkdtempSync(path.join(os.tmpdir(), "fanout-pack-"))
const tarball = (name: (typeof packages)[number]) => path.join(out, `fanout-${name}-0.1.0.tgz`)
const listing = async (name: (typeof packages)[number]) =>
  (await run("tar", ["-tzf", tarball(name)], out)).stdout.trim().split("\n").sort()
const manifest = async (name: (typeof packages)[number]) =>
  JSON.parse((await run("tar", ["-xzOf", tarball(name), "package/package.json"], out)).stdout)

beforeAll(async () => {
  await run(process.execPath, [bin("../typescript/bin/tsc"), "-b", "tsconfig.build.json"], root)
  await run(process.execPath, ["packages/cli/build.mjs"], root)
  for (const name of packages) {
    await run("npx", ["--yes", "pnpm@10", "pack", "--pack-destination", out], path.join(root, "packages", name))
  }
}, 300_000)

describe("the packed tarballs", () => {
  it("ship the build, sources for the maps, README and LICENSE, and no tests", async () => {
    for (const name of ["pool", "shell", "threads"] as const) {
      const files = await listing(name)
      expect(files).toContain("package/dist/index.js")
      expect(files).toContain("package/dist/index.d.ts")
      expect(files).toContain("package/dist/index.js.map")
      expect(files).toContain("package/src/index.ts")
      expect(files).toContain("package/LICENSE")
      expect(files).toContain("package/README.md")
      expect(files.filter((file) => /test|tsbuildinfo|tsconfig/.test(file))).toEqual([])
    }
    expect(await listing("cli")).toEqual([
      "package/LICENSE",
      "package/README.md",
      "package/dist/cli.cjs",
      "package/dist/fanout.cjs",
      "package/package.json"
    ])
  })

  it("have manifests that point at the build, with effect as a peer and no workspace ranges", async () => {
    for (const name of packages) {
      const pkg = await manifest(name)
      const text = JSON.stringify([pkg.exports, pkg.bin, pkg.dependencies, pkg.peerDependencies, pkg.devDependencies])
      expect(text).not.toMatch(/workspace:|(?<!\.d)\.ts"/)
      expect(pkg.sideEffects ?? []).toEqual([])
      expect(pkg.license).toBe("MIT")
    }
    expect((await manifest("pool")).peerDependencies).toEqual({ effect: "^3.22.4" })
    expect((await manifest("pool")).dependencies).toBeUndefined()
    expect((await manifest("shell")).peerDependencies).toEqual({ effect: "^3.22.4" })
    expect((await manifest("shell")).dependencies).toEqual({ "@fanout/pool": "^0.1.0" })
    expect((await manifest("threads")).peerDependencies).toEqual({ effect: "^3.22.4" })
    expect((await manifest("threads")).dependencies).toEqual({ "@fanout/pool": "^0.1.0" })
    const cli = await manifest("cli")
    expect(cli.dependencies).toBeUndefined()
    expect(cli.peerDependencies).toBeUndefined()
    expect(cli.bin).toEqual({ fanout: "./dist/fanout.cjs" })
  })

  it("pass publint --strict", async () => {
    for (const name of packages) {
      const { stdout } = await run(bin("publint"), [tarball(name), "--strict"], out)
      expect(stdout).not.toMatch(/Errors|Warnings|Suggestions/)
    }
  })

  it("pass arethetypeswrong for ES-module users (node16 from ESM, bundler)", async () => {
    for (const name of ["pool", "shell", "threads"] as const) {
      // it exits non-zero on a problem; the resolutions it does not ignore must all be green
      const { stdout } = await run(bin("attw"), [tarball(name), "--profile", "esm-only", "--format", "ascii"], out)
      const verdicts = stdout.split("\n").filter((line) => /^(node16 \(from ESM\)|bundler):/.test(line))
      const entries = Object.keys((await manifest(name)).exports).filter((key) => key !== "./internal/*")
      expect(verdicts.length).toBe(2 * entries.length)
      expect(verdicts.filter((line) => !line.includes("🟢"))).toEqual([])
    }
  })
})

describe("installed with npm into an empty project", () => {
  const app = fs.mkdtempSync(path.join(os.tmpdir(), "fanout-consumer-"))

  beforeAll(async () => {
    for (const file of ["main.ts", "require.cjs", "tsconfig.json", "work.mjs", "work.d.mts"]) {
      fs.copyFileSync(path.join(fixtures, file), path.join(app, file))
    }
    fs.writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({
        name: "consumer",
        private: true,
        type: "module",
        dependencies: {
          "@fanout/pool": `file:${tarball("pool")}`,
          "@fanout/shell": `file:${tarball("shell")}`,
          "@fanout/threads": `file:${tarball("threads")}`,
          "@fanout/cli": `file:${tarball("cli")}`,
          effect: "3.22.4"
        },
        devDependencies: { "@types/node": "20.19.43" },
        // @fanout/pool is not on the registry: shell's ^0.1.0 must take the tarball
        overrides: { "@fanout/pool": "$@fanout/pool" }
      })
    )
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], app)
  }, 300_000)

  it("has exactly one copy of effect, the app's", async () => {
    const { stdout } = await run("npm", ["ls", "effect", "--all", "--parseable"], app)
    expect(stdout.trim().split("\n")).toEqual([path.join(app, "node_modules/effect")])
    expect(fs.existsSync(path.join(app, "node_modules/@fanout/cli/node_modules"))).toBe(false)
  })

  it("type-checks a consumer under moduleResolution nodenext, and runs it", async () => {
    const tsc = path.join(root, "node_modules/typescript/bin/tsc")
    await run(process.execPath, [tsc, "-p", "."], app)
    await run(process.execPath, [tsc, "-p", ".", "--noEmit", "false", "--outDir", "build"], app)
    const { stderr, stdout } = await run(process.execPath, ["build/main.js"], app)
    expect(stdout).toBe("consumer ok: 1,4,9,16 42 0 6765\n")
    expect(stderr).not.toMatch(/Executing an Effect versioned/)
  })

  it("require()s the libraries from CommonJS", async () => {
    expect((await run(process.execPath, ["require.cjs"], app)).stdout).toBe("require ok\n")
  })

  it("runs the CLI with npx", async () => {
    const { stdout } = await run("npx", ["fanout", "-j2", "echo", ":::", "a", "b"], app)
    expect(stdout.split("\n").sort().join(" ")).toBe(" a b")
  })

  it("runs the CLI from npm install -g", async () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "fanout-global-"))
    await run("npm", ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", tarball("cli")], app)
    const { stdout } = await run(path.join(prefix, "bin/fanout"), ["-j2", "-k", "echo", ":::", "a", "b"], app)
    expect(stdout).toBe("a\nb\n")
  })
})
