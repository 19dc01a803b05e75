/**
 * GNU parallel's everyday language beyond the basics (issue 11): aliases users
 * type, running options, the environment scripts rely on. Each case runs
 * fanout and compares with GNU parallel 20221122 (live, or its recording).
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  bundle,
  fanout,
  parallel,
  root,
  type RunOptions,
  runTool,
  spawnFanout,
  tempDir
} from "./fixtures/cli/fanout.js"
import { waitFor } from "./fixtures/cli/processes.js"
import { digest, recorded, recordedParallel } from "./fixtures/gnuParallel.js"

const suite = "cli-language"

/** fanout's stdout, exit status and stderr equal GNU parallel's for `args`. */
const same = (name: string, args: ReadonlyArray<string>, options: RunOptions = {}) =>
  it(name, async () => {
    const [ours, theirs] = await Promise.all([fanout(args, options), recordedParallel(suite, name, args, options)])
    expect({ status: ours.status, stdout: digest(ours.stdout), stderr: digest(ours.stderr) }).toEqual(theirs)
  })

const withoutColour = (text: string) => text.replace(/\x1b\[[0-9;]*[mK]/g, "")

describe("aliases users type", () => {
  for (const alias of ["--no-notice", "--nn", "--nonotice", "--willcite", "--will-cite", "--gnu"]) {
    same(`${alias} is accepted and changes nothing`, [alias, "-k", "echo", ":::", "a", "b"])
  }
  same("--linebuffer is --line-buffer", ["--linebuffer", "-k", "echo", ":::", "a", "b"])
  same("--lb is --line-buffer", ["--lb", "-k", "echo", ":::", "a", "b"])

  for (
    const [name, args] of [
      ["--ctag", ["--ctag", "-k", "echo", ":::", "a", "b c"]],
      ["--ctagstring", ["--ctagstring", "<{}>", "-k", "echo", ":::", "a", "b c"]]
    ] as const
  ) {
    it(`${name} tags as GNU parallel does, without its colours`, async () => {
      const [ours, theirs] = await Promise.all([fanout(args), recordedParallel(suite, name, args)])
      expect(ours.status).toBe(theirs.status)
      expect(ours.stdout).toBe(withoutColour(theirs.stdout))
    })
  }
})

/** `tool args…` run by bash, as from a user's prompt: GNU parallel then picks bash as its shell. */
const fromBash = async (tool: ReadonlyArray<string>, args: ReadonlyArray<string>, env: Record<string, string>) => {
  const result = await runTool("bash", ["-c", `"$@"; exit $?`, "bash", ...tool, ...args], { env })
  return { status: result.status, stdout: digest(result.stdout), stderr: digest(result.stderr) }
}

/** As `same`, both started from bash (GNU parallel runs its jobs with the shell it was started from). */
const sameFromBash = (name: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  it(name, async () => {
    const [ours, theirs] = await Promise.all([
      fromBash([process.execPath, bundle()], args, env),
      recorded(suite, name, { args: args.map(digest), env, from: "bash" }, () => fromBash(["parallel"], args, env))
    ])
    expect(ours).toEqual(theirs)
  })

const myfunc = { "BASH_FUNC_myfunc%%": "() {  echo \"got $1\"\n}" }

describe("the environment scripts rely on", () => {
  sameFromBash("an exported bash function is called", ["-k", "myfunc", ":::", "a", "b"], myfunc)
  sameFromBash("an exported function inside a command line", ["-k", "echo x; myfunc {}", ":::", "a"], myfunc)
  sameFromBash("an exported function named with --env", ["--env", "myfunc", "-k", "myfunc", ":::", "a"], myfunc)
  same("--env NAME passes a variable", ["--env", "FOO", "echo $FOO", ":::", "a"], { env: { FOO: "foo" } })
  same("--env NAME that is not set", ["--env", "NOPE", "echo x$NOPE", ":::", "a"])
  sameFromBash("bash syntax runs under bash", ["-k", "echo {1..3} $'\\x41'; [[ {} == a ]] && echo yes", ":::", "a"])
  sameFromBash("inputs that are commands run in the shell fanout was started from", [
    "-k",
    ":::",
    "echo {1..2}",
    "[[ a == a ]] && echo y"
  ])
  same("$PARALLEL holds default options", ["echo", ":::", "a", "b"], { env: { PARALLEL: "-k --tag" } })
  same("options given override $PARALLEL's", ["-j1", "--tagstring", "T", "echo", ":::", "a", "b"], {
    env: { PARALLEL: "-k -j4 --tagstring 'a b'" }
  })
  same("$PARALLEL's words after its options start the command", [":::", "a", "b"], {
    env: { PARALLEL: "-k echo \"x y\"" }
  })
  same("$PARALLEL_SHELL runs the jobs", ["echo $0", ":::", "a"], { env: { PARALLEL_SHELL: "/bin/dash" } })

  it("a bad option in $PARALLEL: one line naming it, exit 255", async () => {
    const ours = await fanout(["echo", ":::", "a"], { env: { PARALLEL: "--nosuch" } })
    const theirs = await recordedParallel(suite, "a bad option in $PARALLEL", ["echo", ":::", "a"], {
      env: { PARALLEL: "--nosuch" }
    })
    // GNU parallel prints its usage on stdout; fanout, one line on stderr
    expect(ours.status).toBe(theirs.status)
    expect(ours.stderr).toBe("fanout: $PARALLEL: --nosuch: unknown option (see fanout --help)\n")
  })

  it("a $PARALLEL_SHELL that does not exist: one line naming it, exit 255", async () => {
    const env = { PARALLEL_SHELL: "/nonexistent/sh" }
    const ours = await fanout(["echo", ":::", "a"], { env })
    const theirs = await recordedParallel(suite, "a missing $PARALLEL_SHELL", ["echo", ":::", "a"], { env })
    expect([ours.status, ours.stdout]).toEqual([theirs.status, theirs.stdout])
    expect(ours.stderr).toBe("fanout: $PARALLEL_SHELL: expected an executable shell, got '/nonexistent/sh'\n")
  })
})

describe("exported functions, however fanout is started", () => {
  const dir = tempDir()
  const script = `myfunc() { echo "got $1"; }; export -f myfunc; "$0" myfunc ::: a`
  const runFrom = (launcher: string) =>
    fromBash(["bash", "-c", script, launcher], [], { PATH: `${path.dirname(launcher)}:${process.env.PATH}` })

  it("through npm's bin link (a symlink to the launcher)", async () => {
    fs.mkdirSync(path.join(dir, "npm", "node_modules", ".bin"), { recursive: true })
    const link = path.join(dir, "npm", "node_modules", ".bin", "fanout")
    fs.symlinkSync(bundle(), link)
    expect(await runFrom(link)).toEqual({ status: 0, stdout: "got a\n", stderr: "" })
  })

  it("through a symlink of one's own", async () => {
    const link = path.join(dir, "fo")
    fs.symlinkSync(bundle(), link)
    expect(await runFrom(link)).toEqual({ status: 0, stdout: "got a\n", stderr: "" })
  })

  it("through pnpm's .bin shim, which drops them: fanout says why and what to do", async () => {
    // pnpm's own shim for @fanout/cli, aimed at the bundle under test
    const shim = fs.readFileSync(path.join(root, "node_modules", ".bin", "fanout"), "utf8")
    expect(shim).toMatch(/^#!\/bin\/sh\n/)
    fs.mkdirSync(path.join(dir, "pnpm", "node_modules", ".bin"), { recursive: true })
    const file = path.join(dir, "pnpm", "node_modules", ".bin", "fanout")
    fs.writeFileSync(file, shim.replaceAll("$basedir/../@fanout/cli/bin/fanout.cjs", bundle()), { mode: 0o755 })
    const result = await runFrom(file)
    expect(result.status).toBe(1)
    expect(result.stderr.split("\n")[0]).toBe(digest(
      `fanout: warning: 'myfunc' is not a command here. If it is an exported bash function, ${file} is a /bin/sh ` +
        "script, which drops exported functions before fanout starts: run fanout's own launcher (npm's bin link, " +
        "a symlink to it, or pnpm with prefer-symlinked-executables=true)"
    ))
  })
})

describe("running", () => {
  const dir = tempDir()
  same("-r: no job for an empty or blank input", ["-k", "-r", "echo", "x{}y"], { input: "a\n\n  \nb\n" })
  same("--no-run-if-empty, of several sources", [
    "-k",
    "--no-run-if-empty",
    "echo",
    "[{1}][{2}]",
    ":::",
    "a",
    "",
    ":::",
    "1",
    " "
  ])
  same("-r: {#} counts only the jobs that run", ["-k", "-r", "echo", "{#}", "{}"], { input: "a\n\nb\n" })
  same("-t: each command line on stderr as it starts", ["-k", "-j1", "-t", "echo", ":::", "a", "b c"])
  same("--verbose", ["-k", "-j1", "--verbose", "echo", ":::", "a", "b c"])
  same("--nice N: the jobs run at that niceness", ["--nice", "7", "nice; echo {}", ":::", "1"])
  same("--tmpdir DIR: the jobs' $TMPDIR", ["--tmpdir", dir, "echo $TMPDIR", ":::", "1"])
  same("--memfree SIZE when there is that much memory", ["-k", "--memfree", "100M", "echo", ":::", "a", "b"])
  same("--load MAX", ["-k", "--load", "1000", "echo", ":::", "a", "b"])

  it("--shuf runs every job once, in some order", async () => {
    const args = ["--shuf", "-j1", "echo", ":::", ...Array.from({ length: 20 }, (_, i) => String(i))]
    const sorted = (text: string) => text.trim().split("\n").sort().join("\n")
    const theirs = await recorded(suite, "--shuf", { args }, async () => {
      const result = await parallel(args)
      return { status: result.status, sorted: sorted(result.stdout) }
    })
    const ours = await fanout(args)
    expect({ status: ours.status, sorted: sorted(ours.stdout) }).toEqual(theirs)
    expect(ours.stdout).not.toBe(args.slice(4).join("\n") + "\n") // 1 in 20! to be in order
  })

  it("-j FILE: the slots come from the file, read again as jobs end", async () => {
    const file = path.join(dir, "slots")
    // job 1 widens the batch from 1 slot to 3; the jobs after it share 3 slots (GNU parallel sees it a little later)
    const args = [
      "-j",
      file,
      `test {} = 1 && echo 3 > ${file}; sleep 0.3; echo $PARALLEL_JOBSLOT`,
      ":::",
      ...["1", "2", "3", "4", "5", "6", "7", "8"]
    ]
    const slots = async (run: () => Promise<{ status: number | null; stdout: string }>) => {
      fs.writeFileSync(file, "1\n")
      // GNU parallel sees a change by the file's mtime in whole seconds: make job 1's write a newer one
      fs.utimesSync(file, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000))
      const result = await run()
      return { status: result.status, slots: [...new Set(result.stdout.trim().split("\n"))].sort().join(" ") }
    }
    const theirs = await recorded(suite, "-j FILE", { args: args.map(digest) }, () => slots(() => parallel(args)))
    expect(await slots(() => fanout(args))).toEqual(theirs)
    expect(theirs).toEqual({ status: 0, slots: "1 2 3" })
  })

  it("--tmpdir that does not exist: one line, exit 255", async () => {
    const result = await fanout(["--tmpdir", "/nonexistent", "echo", ":::", "a"])
    expect([result.status, result.stdout, result.stderr]).toEqual([
      255,
      "",
      "fanout: --tmpdir: expected a directory (no such directory), got '/nonexistent'\n"
    ])
  })

  it("--memfree and --load take GNU parallel's units and forms", async () => {
    for (
      const [args, message] of [
        [["--memfree", "1x"], "--memfree: expected a size like 500M or 2G, got '1x'"],
        [["--load", "abc"], "--load: expected a number of running processes, N%, +N or -N, got 'abc'"],
        [["--nice", "x"], "--nice: expected a whole number (19 is the nicest), got 'x'"]
      ] as const
    ) {
      const result = await fanout([...args, "echo", ":::", "a"])
      expect([result.status, result.stderr]).toEqual([255, `fanout: ${message}\n`])
    }
  })

  it("SIGUSR1: one more slot; SIGUSR2: one fewer (as xargs -P)", async () => {
    const started = path.join(dir, "started")
    const child = spawnFanout([
      "-j1",
      `touch ${started}-{}; sleep 0.5; echo $PARALLEL_JOBSLOT`,
      ":::",
      ...["1", "2", "3", "4", "5", "6"]
    ])
    let stdout = ""
    child.stdout.on("data", (chunk: Buffer) => stdout += chunk.toString())
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
    await waitFor(() => fs.existsSync(`${started}-1`), "the first job")
    child.kill("SIGUSR1")
    await waitFor(() => fs.existsSync(`${started}-2`), "a second slot")
    child.kill("SIGUSR2")
    expect(await exited).toBe(0)
    const slots = stdout.trim().split("\n")
    expect(slots).toHaveLength(6)
    // job 2 ran beside job 1 in slot 2; after SIGUSR2 one job at a time again
    expect(slots.filter((slot) => slot === "2").length).toBeGreaterThanOrEqual(1)
    expect(slots.slice(-2)).toEqual(["1", "1"])
  })
})

describe("-S : (this machine)", () => {
  it("is accepted, as GNU parallel's name for the local machine, alone or repeated", async () => {
    for (const args of [["-S", ":"], ["--sshlogin", ":,:", "-S", " : "]]) {
      const result = await fanout([...args, "-k", "echo", ":::", "a", "b"])
      expect([result.status, result.stdout, result.stderr]).toEqual([0, "a\nb\n", ""])
    }
  })
})

describe("options fanout does not take", () => {
  for (
    const [args, message] of [
      [
        ["--tee", "wc", "-l"],
        "--tee: not supported by fanout; split the input first and give the pieces with ::::"
      ],
      [
        ["-S", "host", "echo", ":::", "a"],
        "-S: expected ':' (this machine: fanout runs jobs here only; run it on each host over ssh), got 'host'"
      ],
      [
        ["--sshloginfile", "hosts", "echo", ":::", "a"],
        "--sshloginfile: not supported by fanout; jobs run on this machine only (run fanout on each host over ssh)"
      ],
      [["--sem", "echo"], "--sem: not supported by fanout; use flock(1) around the command"],
      [
        ["--process-slot-var", "S", "echo"],
        "--process-slot-var: not supported by fanout; read PARALLEL_JOBSLOT (or FANOUT_SLOT) in the job"
      ],
      [
        ["--tmux", "echo"],
        "--tmux: not supported by fanout; output comes on stdout; run fanout inside tmux if you want panes"
      ]
    ] as const
  ) {
    it(`${args[0]}: one line naming it and what to use instead, exit 255`, async () => {
      const result = await fanout(args)
      expect([result.status, result.stdout, result.stderr]).toEqual([255, "", `fanout: ${message}\n`])
    })
  }
})
