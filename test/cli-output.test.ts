/**
 * One rule for a stdout that fails, for a real run and a dry run alike: a
 * write error (a full disk) is an error every time, with one line and exit
 * 255; a reader that goes away stops the run quietly with SIGPIPE's status
 * (141), as GNU parallel. And `--dry-run` prints what would really run: tags,
 * and without the jobs a resume skips. Expected lines are GNU parallel
 * 20221122's.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { bundle, fanout, tempDir } from "./fixtures/cli/fanout.js"
import { survivors } from "./fixtures/cli/processes.js"

const dir = tempDir("fanout-output-")

/** A bash script with `fanout` as a function running the built CLI. */
const bash = (script: string): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `fanout() { "${process.execPath}" "${bundle()}" "$@"; }\n${script}`], {
      cwd: dir
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.once("error", reject)
    child.once("close", (status) => resolve({ status, stdout, stderr }))
  })

const full = "fanout: cannot write to standard output: no space left on device\n"

describe("a stdout that cannot be written", () => {
  for (const mode of [[], ["-u"], ["--line-buffer"], ["-k"], ["--json"], ["--dry-run"]]) {
    it(`${mode.join(" ") || "--group"}: > /dev/full is an error, exit 255`, async () => {
      const result = await bash(`fanout ${mode.join(" ")} echo ::: a b > /dev/full; echo "status=$?" >&2`)
      expect(result.stderr).toBe(`${full}status=255\n`)
    })
  }

  it("stops the running jobs", async () => {
    const mark = `${100 + Math.floor(Math.random() * 900)}.${process.pid}7`
    const result = await bash(`fanout -u -j3 'echo {}; sleep ${mark}' ::: 1 2 3 > /dev/full; echo "status=$?" >&2`)
    expect(result.stderr).toBe(`${full}status=255\n`)
    expect(survivors(`sleep ${mark}`)).toEqual([])
  })
})

describe("a reader that goes away", () => {
  for (
    const args of ["-j2 'seq 100000; : {}' ::: 1 2 3 4", "-u seq ::: 100000 100000", "--dry-run echo ::: $(seq 50000)"]
  ) {
    it(`fanout ${args.slice(0, 30)}… | head: quiet, exit 141`, async () => {
      const result = await bash(`fanout ${args} | head -n 1 > /dev/null; echo "status=\${PIPESTATUS[0]}"`)
      expect(result.stdout).toBe("status=141\n")
      expect(result.stderr).toBe("")
    })
  }
})

describe("--dry-run shows what would really run", () => {
  it("with --tag and --tagstring, each line starts with the job's tag", async () => {
    expect((await fanout(["--dry-run", "-k", "--tag", "echo", ":::", "a"])).stdout).toBe("a\techo a\n")
    expect((await fanout(["--dry-run", "--tag", "echo", "{1}", "{2}", ":::", "a", ":::", "b"])).stdout).toBe(
      "a b\techo a b\n"
    )
    expect((await fanout(["--dry-run", "-k", "--tagstring", "{#}:{}", "echo", ":::", "a", "b"])).stdout).toBe(
      "1:a\techo a\n2:b\techo b\n"
    )
  })

  it("with --resume and --resume-failed, without the jobs the joblog has", async () => {
    const joblog = path.join(dir, "resume.log")
    fs.writeFileSync(
      joblog,
      "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n" +
        "1\t:\t1796244260.809\t     0.000\t0\t2\t0\t0\techo a\n" +
        "3\t:\t1796244260.809\t     0.000\t0\t2\t1\t0\techo c\n"
    )
    const resume = await fanout(["--dry-run", "--joblog", joblog, "--resume", "echo", ":::", "a", "b", "c"])
    expect(resume.stdout).toBe("echo b\n")
    const failed = await fanout(["--dry-run", "--joblog", joblog, "--resume-failed", "echo", ":::", "a", "b", "c"])
    expect(failed.stdout).toBe("echo b\necho c\n")
  })
})
