/**
 * Where the time goes when a target is missed: the tool is run once more under
 * `node --cpu-prof`, and the profile's self time is summed per function.
 */
import * as fs from "node:fs"
import * as path from "node:path"
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

/** Self time per function (name + file + line), largest first. */
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
    const where = url === "" ? "" : `${path.basename(url)}:${lineNumber + 1}`
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

/** Runs a Node tool once under `--cpu-prof` and returns its hotspots; undefined for tools that are not Node. */
export const profileTool = async (tool: Tool, top = 8): Promise<Array<Hotspot> | undefined> => {
  if (tool.argv[0] !== process.execPath) return undefined
  const dir = fs.mkdtempSync(path.join(scratchDir(), "prof-"))
  await measure({
    argv: [tool.argv[0], "--cpu-prof", "--cpu-prof-dir", dir, ...tool.argv.slice(1)],
    stdinFile: tool.stdinFile,
    captureStdout: tool.reportsItself,
    timeoutMs: 600_000
  })
  const files = fs.readdirSync(dir).filter((file) => file.endsWith(".cpuprofile"))
  if (files.length === 0) return undefined
  const profile = JSON.parse(fs.readFileSync(path.join(dir, files[0]!), "utf8")) as CpuProfile
  return hotspots(profile, top)
}
