/**
 * Inputs are bytes: a byte that is not valid UTF-8 reaches the job, the dry
 * run, the tag and the joblog as itself, on every input path. Expected bytes
 * are GNU parallel 20221122's, checked by hand (`od -c`).
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { bundle, tempDir } from "./fixtures/cli/fanout.js"

const dir = tempDir("fanout-bytes-")

interface Run {
  readonly status: number | null
  readonly stdout: Buffer
  readonly stderr: string
}

/** A bash script in `dir`, with `fanout` as a function running the built CLI: what a user types. */
const bash = (script: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `fanout() { "${process.execPath}" "${bundle()}" "$@"; }\n${script}`], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"]
    })
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk))
    child.once("error", reject)
    child.once("close", (status) =>
      resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("latin1") }))
  })

const bytes = (text: string) => Buffer.from(text, "latin1")

describe("inputs are bytes", () => {
  it("ls | fanout rm {} removes a file whose name is not UTF-8", async () => {
    const sub = fs.mkdtempSync(path.join(dir, "rm-"))
    const result = await bash(`cd ${sub} && touch "$(printf 'caf\\351')" && ls | fanout rm {} && ls -A | wc -l`)
    expect(result.stderr).toBe("")
    expect(result.stdout.toString()).toBe("0\n")
  })

  it("stdin lines keep their bytes", async () => {
    const result = await bash(`printf 'a\\377b\\n' | fanout -k echo`)
    expect(result.stdout).toEqual(bytes("a\xffb\n"))
  })

  it("::: args, the command template and --dry-run keep their bytes", async () => {
    const result = await bash(`fanout -k "echo $(printf 'T\\351')" ::: "$(printf 'x\\351y')" ok`)
    expect(result.stdout).toEqual(bytes("T\xe9 x\xe9y\nT\xe9 ok\n"))
    const dry = await bash(`fanout --dry-run echo ::: "$(printf 'x\\351y')"`)
    expect(dry.stdout).toEqual(bytes("echo 'x\xe9y'\n"))
  })

  it("-a files, -0, -d and --colsep cut bytes", async () => {
    await bash(`printf 'p\\351q\\0r\\n' > in0`)
    expect((await bash(`fanout -k -0 echo :::: in0`)).stdout).toEqual(bytes("p\xe9q\nr\n\n"))
    expect((await bash(`fanout -k -a in0 -0 echo`)).stdout).toEqual(bytes("p\xe9q\nr\n\n"))
    expect((await bash(`fanout -k -d '\\351' echo ::: "$(printf 'x\\351y')"`)).stdout).toEqual(bytes("x\ny\n"))
    const colsep = await bash(`printf 'p\\351q\\n' | fanout -k --colsep "$(printf '\\351')" echo {2}-{1}`)
    expect(colsep.stdout).toEqual(bytes("q-p\n"))
  })

  it("--tag, the joblog and --json carry the bytes", async () => {
    const tag = await bash(`fanout -k --tag echo ::: "$(printf 'x\\351y')"`)
    expect(tag.stdout).toEqual(bytes("x\xe9y\tx\xe9y\n"))
    await bash(`fanout --joblog jl echo ::: "$(printf 'x\\351y')" > /dev/null`)
    const row = fs.readFileSync(path.join(dir, "jl")).toString("latin1").trimEnd().split("\n")[1].split("\t")
    expect(row[8]).toBe("echo 'x\xe9y'")
    const json = JSON.parse((await bash(`fanout --json echo ::: "$(printf 'x\\351y')"`)).stdout.toString())
    expect(Buffer.from(json.args_base64[0], "base64")).toEqual(bytes("x\xe9y"))
    expect(Buffer.from(json.command_base64, "base64")).toEqual(bytes("echo 'x\xe9y'"))
    expect(json.args).toEqual(["x\uFFFDy"])
  })

  it("valid UTF-8, also four-byte characters, is left alone", async () => {
    const result = await bash(`echo '💀 é' | fanout -k echo; fanout --dry-run echo ::: 💀`)
    expect(result.stdout.toString()).toBe("💀 é\necho '💀'\n")
    const json = JSON.parse((await bash(`fanout --json echo ::: é`)).stdout.toString())
    expect(json.args_base64).toBeUndefined()
  })

  it("a NUL in input read without -0 is passed as \\0, with one warning", async () => {
    const result = await bash(`printf 'a\\0b\\nc\\0\\n' | fanout -k "printf '%s\\n'"`)
    expect(result.stdout.toString()).toBe("a\\0b\nc\\0\n")
    expect(result.stderr).toBe(
      "fanout: warning: a NUL character in the input was replaced with \\0: NUL cannot be passed through in the " +
        "argument list. Did you mean to use the --null option?\n"
    )
  })
})

describe("--colsep reads Perl's regular expressions", () => {
  it("POSIX bracket classes, \\h and (?i) split as in GNU parallel", async () => {
    const result = await bash(
      `fanout -k --colsep '[[:space:]]+' echo {2}:{1} ::: 'a   b'; printf 'XaY\\n' | fanout --colsep '(?i)A' echo {2};` +
        ` printf 'X\\tY\\n' | fanout --colsep '\\h' echo {2}`
    )
    expect(result.stdout.toString()).toBe("b:a\nY\nY\n")
  })

  it("a Perl-ism with no JavaScript equivalent is an error naming it", async () => {
    const result = await bash(`fanout --colsep '\\Qa\\E' echo ::: x`)
    expect(result.status).toBe(255)
    expect(result.stderr).toBe(
      "fanout: --colsep: expected a regular expression without \\Q...\\E quoting, got '\\Qa\\E'\n"
    )
  })
})
