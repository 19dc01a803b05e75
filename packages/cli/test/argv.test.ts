import { describe, expect, it } from "@effect/vitest"
import { split } from "../src/internal/argv.js"

describe("argv split", () => {
  it("stops at the first word that is not one of our options", () => {
    const { options, rest } = split(["-j", "2", "grep", "-v", "foo", ":::", "a.txt"])
    expect(options).toEqual(["--jobs", "2"])
    expect(rest).toEqual(["grep", "-v", "foo", ":::", "a.txt"])
  })

  it("reads -j4, -j 4, --jobs=4, --jobs 4, bundles and -P", () => {
    for (const argv of [["-j4"], ["-j", "4"], ["--jobs=4"], ["--jobs", "4"], ["-kj4"], ["-P4"], ["--max-procs=4"]]) {
      expect(split([...argv, "echo"]).values.get("jobs"), argv.join(" ")).toEqual(["4"])
      expect(split([...argv, "echo"]).rest).toEqual(["echo"])
    }
    expect(split(["-kj", "4", "echo"]).options).toEqual(["--keep-order", "--jobs", "4"])
  })

  it("takes values that look like options: -j -1", () => {
    expect(split(["-j", "-1", "echo"]).values.get("jobs")).toEqual(["-1"])
  })

  it("passes everything after -- and after the command through", () => {
    expect(split(["--", "-j", "2"]).rest).toEqual(["-j", "2"])
    expect(split(["echo", "--version", ":::", "a"])).toMatchObject({
      options: [],
      rest: ["echo", "--version", ":::", "a"]
    })
    expect(split([":::", "-j"]).rest).toEqual([":::", "-j"])
  })

  it("accepts unique abbreviations and GNU parallel's other spellings", () => {
    expect(split(["--dry", "--lb", "--term-seq", "KILL,1", "x"]).options).toEqual([
      "--dry-run",
      "--line-buffer",
      "--termseq",
      "KILL,1"
    ])
  })

  it("keeps the last value of a single option and every value of -a", () => {
    const { options } = split(["-j", "1", "-a", "x", "-j", "3", "-a", "y"])
    expect(options).toEqual(["--jobs", "3", "--arg-file", "x", "--arg-file", "y"])
  })

  it("rejects unknown and ambiguous options and missing values with one line", () => {
    expect(() => split(["--jbos", "4"])).toThrow("--jbos: unknown option (see fanout --help)")
    expect(() => split(["-x"])).toThrow("-x: unknown option")
    expect(() => split(["-kx"])).toThrow("-x: unknown option (in '-kx')")
    expect(() => split(["--re"])).toThrow(
      "--re: ambiguous option, could be --recstart, --recend, --regexp, --remove-rec-sep, --replace, --results, --retries, --resume, --resume-failed"
    )
    expect(() => split(["-j"])).toThrow("-j: expected a value after it")
    expect(() => split(["--keep-order=yes"])).toThrow("--keep-order: takes no value, got 'yes'")
  })
})
