import { describe, expect, it } from "@effect/vitest"
import { shellWords, splitWithDefaults } from "../src/internal/argv.js"
import { chooseShell, exportedFunctions, needsBash } from "../src/internal/jobShell.js"
import { parse } from "../src/internal/template.js"

describe("the jobs' shell", () => {
  it("is sh for plain commands, bash for bash's syntax", () => {
    for (
      const plain of ["echo {}", "gzip -9 {}", "echo $((1+2)) ${x:-y} ${#x}", "awk '{print $1}' {}", "a && b || c"]
    ) {
      expect(needsBash(plain, new Set()), plain).toBe(false)
    }
    for (
      const bash of ["[[ -f x ]]", "echo $'\\t'", "diff <(a) <(b)", "echo {1..3}", "cp x.{a,b}", "a &> f", "a |& b"]
    ) {
      expect(needsBash(bash, new Set()), bash).toBe(true)
    }
    for (const bash of ["function f { :; }", "a=(1 2)", "echo ${x//a/b}", "echo ${x:1:2}", "source f", "(( i++ ))"]) {
      expect(needsBash(bash, new Set()), bash).toBe(true)
    }
  })

  it("is bash when the command calls an exported function, by its whole name", () => {
    const env = { "BASH_FUNC_myfunc%%": "() { :; }", "BASH_FUNC_a.b%%": "() { :; }" }
    const functions = exportedFunctions(env)
    expect([...functions]).toEqual(["myfunc", "a.b"])
    expect(needsBash("myfunc {}", functions)).toBe(true)
    expect(needsBash("x; a.b {}", functions)).toBe(true)
    expect(needsBash("myfunc2 {}", functions)).toBe(false)
    expect(needsBash("echo not-myfunc", functions)).toBe(false)
    expect(chooseShell(undefined, parse(["myfunc"]), [], { ...env, PATH: "/usr/bin:/bin" })).toMatch(/\/bash$/)
    expect(chooseShell(undefined, parse(["echo"]), [], { ...env, PATH: "/usr/bin:/bin" })).toBe("/bin/sh")
    expect(chooseShell(undefined, parse(["echo"]), ["a.b"], { ...env, PATH: "/usr/bin:/bin" })).toMatch(/\/bash$/)
  })

  it("is --shell, then $PARALLEL_SHELL", () => {
    expect(chooseShell("/bin/dash", parse(["[[ 1 ]]"]), [], { PARALLEL_SHELL: "/bin/bash" })).toBe("/bin/dash")
    expect(chooseShell(undefined, parse(["echo"]), [], { PARALLEL_SHELL: "/bin/bash" })).toBe("/bin/bash")
    expect(() => chooseShell(undefined, parse(["echo"]), [], { PARALLEL_SHELL: "nosuchshell", PATH: "/bin" }))
      .toThrow("$PARALLEL_SHELL: expected an executable shell (not found), got 'nosuchshell'")
  })
})

describe("$PARALLEL", () => {
  it("is split into words as Perl's shellwords does", () => {
    expect(shellWords(`-k  --tag\t'a b' "c \\"d\\"" e\\ f ''`)).toEqual(["-k", "--tag", "a b", "c \"d\"", "e f", ""])
    expect(() => shellWords("'a")).toThrow("$PARALLEL: expected a closing ', got ''a'")
  })

  it("gives default options that the command line overrides, and words that start the command", () => {
    const split = splitWithDefaults(["-j2", "-a", "y", "x"], "-j4 -k -a z echo")
    expect(split.values.get("jobs")).toEqual(["2"])
    expect(split.values.get("keep-order")).toEqual([""])
    expect(split.values.get("arg-file")).toEqual(["z", "y"])
    expect(split.rest).toEqual(["echo", "x"])
  })
})
