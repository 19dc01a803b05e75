/**
 * Where the time goes when a target is missed: the tool is run once more under
 * `node --cpu-prof`, and the profile's self time is summed per function.
 */
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { fanoutBin } from "./cli/cases.js"
import { measure, scratchDir } from "./harness.js"
import type { Tool } from "./model.js"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface Hotspot {
  readonly fn: string
  readonly where: string
  readonly ms: number
  readonly share: number
}

/**
 * Where a line of an esbuild bundle came from: esbuild heads each module's code with a
 * `// path/to/module.js` comment, so the nearest one above the line names the module.
 */
const moduleOfLine = (() => {
  const cache = new Map<string, Array<[number, string]>>()
  return (file: string, line: number): string | undefined => {
    let marks = cache.get(file)
    if (marks === undefined) {
      marks = []
      try {
        fs.readFileSync(file, "utf8").split("\n").forEach((text, i) => {
          const m = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(text)
          if (m !== null) marks!.push([i, m[1]!.replace(/^.*node_modules\//, "")])
        })
      } catch {
        // not a file we can read: no module names
      }
      cache.set(file, marks)
    }
    let found: string | undefined
    for (const [at, name] of marks) {
      if (at > line) break
      found = name
    }
    return found
  }
})()

const locate = (url: string, line: number): string => {
  if (url === "") return ""
  if (url.startsWith("file://")) {
    const module = moduleOfLine(fileURLToPath(url), line)
    if (module !== undefined) return `${module} (${path.basename(url)}:${line + 1})`
  }
  return `${path.basename(url)}:${line + 1}`
}

/** Self time per function (name + module + line), largest first. */
export const hotspots = (profile: CpuProfile, top: number): Array<Hotspot> => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfUs = new Map<string, { fn: string; where: string; us: number }>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)
    const dt = profile.timeDeltas[i] ?? 0
    if (node === undefined) return
    total += dt
    const { functionName, lineNumber, url } = node.callFrame
    const fn = functionName === "" ? "(anonymous)" : functionName
    const where = locate(url, lineNumber)
    const key = `${fn}@${where}`
    const entry = selfUs.get(key) ?? { fn, where, us: 0 }
    entry.us += dt
    selfUs.set(key, entry)
  })
  return [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map(({ fn, us, where }) => ({ fn, where, ms: us / 1000, share: total === 0 ? 0 : us / total }))
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/**
 * The published bundle is minified, so its profile names nothing; profile the same
 * sources bundled the same way but readable (module comments kept, names intact).
 */
const readableFanout = async (): Promise<string> => {
  const outfile = path.join(scratchDir(), "fanout-readable.mjs")
  if (!fs.existsSync(outfile)) {
    await esbuild.build({
      entryPoints: [path.join(root, "packages", "cli", "src", "bin.ts")],
      outfile,
      bundle: true,
      platform: "node",
      target: "node20",
      format: "esm",
      banner: {
        js:
          "import { createRequire as __benchRequire } from \"node:module\"\nconst require = __benchRequire(import.meta.url)"
      },
      logLevel: "silent"
    })
  }
  return outfile
}

/** Runs a Node tool once under `--cpu-prof` and returns its hotspots; undefined for tools that are not Node. */
export const profileTool = async (tool: Tool, top = 8): Promise<Array<Hotspot> | undefined> => {
  if (tool.argv[0] !== process.execPath) return undefined
  const dir = fs.mkdtempSync(path.join(scratchDir(), "prof-"))
  const script = tool.argv[1] === fanoutBin ? await readableFanout() : tool.argv[1]!
  await measure({
    argv: [tool.argv[0], "--cpu-prof", "--cpu-prof-dir", dir, script, ...tool.argv.slice(2)],
    stdinFile: tool.stdinFile,
    captureStdout: tool.reportsItself,
    timeoutMs: 600_000
  })
  const files = fs.readdirSync(dir).filter((file) => file.endsWith(".cpuprofile"))
  if (files.length === 0) return undefined
  const profile = JSON.parse(fs.readFileSync(path.join(dir, files[0]!), "utf8")) as CpuProfile
  return hotspots(profile, top)
}
