/**
 * `fanout --help` is one screen a person reads, plain through a pipe and bold
 * headings on a terminal (never with NO_COLOR); completions offer exactly the
 * options fanout accepts.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { optionTable } from "../packages/cli/src/internal/options.js"
import { bundle, fanout, tempDir } from "./fixtures/cli/fanout.js"
import { waitFor } from "./fixtures/cli/processes.js"
import { tmuxIt } from "./fixtures/cli/tmux.js"

const dir = tempDir()

describe("fanout --help through a pipe", () => {
  it("fits one screen of 80 columns, without escapes, exit 0", async () => {
    const { status, stdout, stderr } = await fanout(["--help"], { env: { NO_COLOR: "" } })
    expect([status, stderr]).toEqual([0, ""])
    expect(stdout).not.toContain("\x1b")
    const lines = stdout.trimEnd().split("\n")
    expect(lines.length).toBeLessThanOrEqual(60)
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80)
    expect(stdout).not.toMatch(/user-defined piece of text|This setting is optional/)
  })

  it("lists every option fanout accepts, by group, with the replacement strings, examples and the README", async () => {
    const { stdout } = await fanout(["--help"])
    for (const option of optionTable) {
      // GNU's short-only options (-X, -L) are shown by their letter.
      if (option.help !== undefined) expect(stdout).toContain(`${option.name.length === 1 ? "-" : "--"}${option.name}`)
    }
    for (const heading of ["INPUT", "COMMAND", "OUTPUT", "SCHEDULING", "FAILURE", "LOGGING", "REPLACEMENT STRINGS"]) {
      expect(stdout).toMatch(new RegExp(`^${heading}$`, "m"))
    }
    expect(stdout).toContain("{/.}")
    expect(stdout.split("EXAMPLES\n")[1].split("\n\n")[0].split("\n")).toHaveLength(3)
    expect(stdout).toContain("github.com/fanout/fanout#readme")
  })
})

/** `fanout --help` in a tmux pane with `env`; the pane's text with its escapes (capture-pane -e). */
const helpOnTerminal = async (name: string, env: Record<string, string>) => {
  const session = `fanout-help-${name}-${process.pid}`
  const done = path.join(dir, `${name}-done`)
  const vars = Object.entries(env).flatMap(([key, value]) => ["-e", `${key}=${value}`])
  const command = `${process.execPath} ${bundle()} --help; touch ${done}; sleep 30`
  execFileSync("tmux", ["new-session", "-d", "-s", session, "-x", "100", "-y", "70", ...vars, command])
  try {
    await waitFor(() => fs.existsSync(done), "fanout --help to finish")
    return execFileSync("tmux", ["capture-pane", "-p", "-e", "-t", session], { encoding: "utf8" })
  } finally {
    execFileSync("tmux", ["kill-session", "-t", session])
  }
}

describe("fanout --help on a terminal", () => {
  tmuxIt("headings are bold", async () => {
    const screen = await helpOnTerminal("colour", {})
    expect(screen).toMatch(/\x1b\[1mUSAGE/)
    expect(screen).toMatch(/\x1b\[1mINPUT/)
  })

  tmuxIt("NO_COLOR: no colour, no bold", async () => {
    const screen = await helpOnTerminal("no-colour", { NO_COLOR: "1" })
    expect(screen).toContain("USAGE")
    expect(screen).not.toContain("\x1b[1m")
  })
})

describe("fanout --completions", () => {
  it("bash: the script completes in bash", async () => {
    const script = path.join(dir, "completions.bash")
    fs.writeFileSync(script, (await fanout(["--completions", "bash"])).stdout)
    const complete = (word: string) =>
      execFileSync("bash", [
        "-c",
        `source "$0"; COMP_WORDS=(fanout "$1"); COMP_CWORD=1; _fanout_bash_completions fanout; echo "\${COMPREPLY[*]}"`,
        script,
        word
      ], { encoding: "utf8" })
    expect(complete("--jo")).toBe("--jobs --joblog\n")
    expect(complete("--wiz")).toBe("\n")
  })

  const accepted = new Set(optionTable.flatMap((option) => [option.name, ...option.long].map((name) => `--${name}`)))

  for (const shell of ["bash", "zsh", "fish"]) {
    it(`${shell}: offers only options fanout accepts, and each one it lists in --help`, async () => {
      const { status, stdout } = await fanout(["--completions", shell])
      expect(status).toBe(0)
      const offered = new Set(
        shell === "fish"
          ? [...stdout.matchAll(/ -l ([\w-]+)/g)].map((match) => `--${match[1]}`)
          : [...stdout.matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((match) => match[0])
      )
      for (const option of offered) expect(accepted, option).toContain(option)
      expect(offered).not.toContain("--wizard")
      expect(offered).not.toContain("--log-level")
      for (const option of optionTable) {
        if (option.help === undefined) continue
        if (option.name.length > 1) expect(offered, option.name).toContain(`--${option.name}`)
        else expect(stdout, option.name).toMatch(new RegExp(`(["' ]-|-s )${option.name}[\\[ )]`))
      }
    })
  }
})
