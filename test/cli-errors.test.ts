/**
 * Every usage and input error: exit 255, nothing on stdout, exactly one line
 * on stderr that names the bad value and what was expected. No stack trace,
 * no Effect error dump, no help text.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { bundle, fanout, root, tempDir } from "./fixtures/cli/fanout.js"

const dir = tempDir()
const unreadable = path.join(dir, "unreadable")
fs.writeFileSync(unreadable, "x\n")
fs.chmodSync(unreadable, 0o000)
const isRoot = process.getuid?.() === 0
const cpus = os.availableParallelism()

const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
  [["-j", "abc", "echo"], "fanout: -j: expected a number, N%, +N or -N, got 'abc'"],
  [["-jx", "echo"], "fanout: -j: expected a number, N%, +N or -N, got 'x'"],
  [["--jobs=1.x", "echo"], "fanout: -j: expected a number, N%, +N or -N, got '1.x'"],
  [["-j", "-5%", "echo"], "fanout: -j: expected a number, N%, +N or -N, got '-5%'"],
  [["--foo", "echo"], "fanout: --foo: unknown option (see fanout --help)"],
  [["-x", "echo"], "fanout: -x: unknown option (see fanout --help)"],
  [["-kx", "echo"], "fanout: -x: unknown option (in '-kx') (see fanout --help)"],
  [
    ["--re", "echo"],
    "fanout: --re: ambiguous option, could be --recstart, --recend, --regexp, --remove-rec-sep, --replace, --results, --retries, --resume, --resume-failed"
  ],
  [["echo", "-j"].slice(1), "fanout: -j: expected a value after it"],
  [["--keep-order=1", "echo"], "fanout: --keep-order: takes no value, got '1'"],
  [["--timeout", "abc", "echo"], "fanout: --timeout: expected a duration like 30, 1.5s, 2m or 1h30m, got 'abc'"],
  [["-j", "1.5", "echo"], "fanout: -j: expected a whole number, N%, +N or -N, got '1.5'"],
  [["-j", "-500", "echo"], `fanout: -j: expected at least one job slot (${cpus} CPUs -500 leaves none), got '-500'`],
  [["--timeout", "5x", "echo"], "fanout: --timeout: expected a duration like 30, 1.5s, 2m or 1h30m, got '5x'"],
  [["--delay", "1q", "echo"], "fanout: --delay: expected a duration like 30, 1.5s, 2m or 1h30m, got '1q'"],
  [["--retries", "-1", "echo"], "fanout: --retries: expected a whole number, got '-1'"],
  [["--retries", "two", "echo"], "fanout: --retries: expected a whole number, got 'two'"],
  [
    ["--halt", "foo", "echo"],
    "fanout: --halt: expected never, or now|soon,fail|success|done=N|N% (e.g. now,fail=1), got 'foo'"
  ],
  [
    ["--halt", "now,fail=0", "echo"],
    "fanout: --halt: expected never, or now|soon,fail|success|done=N|N% (e.g. now,fail=1), got 'now,fail=0'"
  ],
  [
    ["--termseq", "TERM,200,KILL", "echo"],
    "fanout: --termseq: expected SIGNAL,MS,SIGNAL,MS,... (e.g. TERM,200,KILL,25), got 'TERM,200,KILL'"
  ],
  [["--termseq", "FOO,1", "echo"], "fanout: --termseq: expected a signal name, not 'FOO' in, got 'FOO,1'"],
  [["--colsep", "(", "echo"], "fanout: --colsep: expected a regular expression, got '('"],
  [["-d", "", "echo"], "fanout: -d: expected a non-empty delimiter, got ''"],
  [["-a", "", "echo"], "fanout: -a: expected a file name, got ''"],
  [["--shell", "", "echo"], "fanout: --shell: expected the path of a shell, got ''"],
  [
    ["--shell", "/nonexistent", "echo"],
    "fanout: --shell: expected an executable shell (no such file), got '/nonexistent'"
  ],
  [
    ["--shell", "/etc/passwd", "echo"],
    "fanout: --shell: expected an executable shell (not executable), got '/etc/passwd'"
  ],
  [["--shell", "/tmp", "echo"], "fanout: --shell: expected an executable file, not a directory, got '/tmp'"],
  [["--arg-file=", "echo"], "fanout: -a: expected a file name, got ''"],
  [
    ["--colsep", "a++", "echo"],
    "fanout: --colsep: expected a regular expression without possessive quantifiers, got 'a++'"
  ],
  [["--resume", "echo"], "fanout: --resume: expected --joblog FILE to resume from, got none"],
  [["--joblog", "+", "echo"], "fanout: --joblog: expected a file name, +FILE to append, or - for stdout, got '+'"],
  [
    ["--resume", "--resume-failed", "--joblog", "x", "echo"],
    "fanout: --resume and --resume-failed: expected one of them, got both"
  ],
  [["echo", ":::+", "a"], "fanout: :::+: links to an input source before it, but there is none"],
  [["echo", "::::"], "fanout: ::::: expected one or more file names after it"],
  [
    ["-a", path.join(dir, "missing"), "echo"],
    `fanout: cannot read input file '${path.join(dir, "missing")}': no such file or directory`
  ],
  [
    ["echo", "::::", path.join(dir, "missing")],
    `fanout: cannot read input file '${path.join(dir, "missing")}': no such file or directory`
  ],
  [["echo", "::::", dir], `fanout: cannot read input file '${dir}': is a directory`],
  [["--completions", "tcsh"], "fanout: --completions: expected sh, bash, fish or zsh, got 'tcsh'"]
]

describe("bad input: one line on stderr, exit 255", () => {
  for (const [args, message] of cases) {
    it(args.join(" ") || "(none)", async () => {
      const result = await fanout(["--dry-run", ...args])
      expect(result.stderr).toBe(message + "\n")
      expect(result.stdout).toBe("")
      expect(result.status).toBe(255)
    })
  }

  it.skipIf(isRoot)("an unreadable file", async () => {
    const result = await fanout(["--dry-run", "echo", "::::", unreadable])
    expect(result.stderr).toBe(`fanout: cannot read input file '${unreadable}': permission denied\n`)
    expect(result.status).toBe(255)
  })

  it("a missing file fails before any job: nothing printed", async () => {
    const result = await fanout(["--dry-run", "echo", ":::", "a", "::::", path.join(dir, "missing")])
    expect(result.stdout).toBe("")
    expect(result.status).toBe(255)
  })
})

describe("built-ins kept from @effect/cli", () => {
  it("--help prints the help once, on stdout, exit 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const result = await fanout([flag])
      expect(result.status).toBe(0)
      expect(result.stderr).toBe("")
      expect(result.stdout.match(/USAGE/g)).toHaveLength(1)
      expect(result.stdout).toContain("--jobs N")
      expect(result.stdout).toContain("--dry-run")
    }
  })

  it("--version and -V print the version", async () => {
    for (const flag of ["--version", "-V"]) {
      const result = await fanout([flag])
      expect(result.status).toBe(0)
      expect(result.stdout).toBe("0.1.0\n")
    }
  })

  it("--completions bash prints a completion script", async () => {
    const result = await fanout(["--completions", "bash"])
    expect(result.status).toBe(0)
    expect(result.stdout).toContain("complete -F")
    expect(result.stdout).toContain("--keep-order")
  })
})

describe("stdout closed early", () => {
  it("stops quietly with SIGPIPE's status when the reader goes away", () => {
    const input = path.join(dir, "many")
    fs.writeFileSync(input, "x\n".repeat(500_000))
    const script =
      `set -o pipefail; "${process.execPath}" "${bundle()}" --dry-run echo < "${input}" | head -1; echo "status=\${PIPESTATUS[0]}"`
    const result = spawnSync("bash", ["-c", script], { cwd: root, encoding: "utf8", timeout: 30_000 })
    expect(result.stdout).toBe("echo x\nstatus=141\n")
    expect(result.stderr).toBe("")
  })
})
