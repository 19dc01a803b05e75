import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { helperScript } from "../src/internal/runner/helperScript.js"
import { frame, FrameReader } from "../src/internal/runner/protocol.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const helperFile = path.join(here, "..", "src", "internal", "runner", "helper.pl")

describe("helper.pl", () => {
  it("is what helperScript.ts embeds (run packages/shell/scripts/embed-helper.mjs after editing it)", () => {
    expect(helperScript).toBe(fs.readFileSync(helperFile, "latin1"))
  })

  it("speaks protocol 1 on its own: hello, run, output, done", async () => {
    const child = spawn("perl", [helperFile], { stdio: ["pipe", "pipe", "inherit"] })
    const frames: Array<[string, number, string]> = []
    const reader = new FrameReader((type, id, payload) => {
      const last = frames[frames.length - 1]
      const t = String.fromCharCode(type)
      if (last !== undefined && last[0] === t && last[1] === id && t === "O") last[2] += payload.toString("latin1")
      else frames.push([t, id, payload.toString("latin1")])
    })
    const done = new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        reader.push(chunk)
        if (frames.some(([t]) => t === "D")) resolve()
      })
    )
    const payload = ["o", "TERM,200,KILL,25", "", "3", "/bin/sh", "-c", "printf 'a\\377b'; exit 3", "X=1"].join("\0")
    child.stdin.write(frame("R", 7, Buffer.from(payload, "latin1")))
    // end of input means "fanout is gone": only once the job is done
    await done
    child.stdin.end()
    await new Promise((resolve) => child.once("exit", resolve))
    expect(frames[0][0]).toBe("H")
    expect(frames[0][2]).toMatch(/^fanout-runner 1 \d+$/)
    expect(frames.map(([t, id]) => `${t}${id}`).slice(1)).toEqual(["S7", "O7", "D7"])
    expect(frames[2][2]).toBe("a\xffb")
    expect(frames[3][2]).toMatch(/^3 - \d+(\.\d+)? 3 0$/)
  })
})

describe("FrameReader", () => {
  it("cuts frames at any chunk boundary; output payloads may come in pieces", () => {
    const wire = Buffer.concat([
      frame("S", 1, "123"),
      frame("O", 1, "hello world"),
      frame("D", 1, "0 - 1.5 11 0"),
      frame("E", 2, "")
    ])
    for (let cut = 0; cut <= wire.length; cut++) {
      const seen: Array<string> = []
      const reader = new FrameReader((type, id, payload) =>
        seen.push(`${String.fromCharCode(type)}${id}:${payload.toString()}`)
      )
      reader.push(wire.subarray(0, cut))
      reader.push(wire.subarray(cut))
      const output = seen.filter((s) => s.startsWith("O")).map((s) => s.slice(3)).join("")
      expect(output).toBe("hello world")
      expect(seen.filter((s) => !s.startsWith("O"))).toEqual(["S1:123", "D1:0 - 1.5 11 0"])
    }
  })
})
