import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import { split } from "../src/internal/argv.js"
import { settingsOf } from "../src/internal/config.js"
import { optionTable, unsupportedOptions } from "../src/internal/options.js"

const settings = (...argv: Array<string>) => settingsOf(split([...argv, "echo"]).values)

describe("the option table", () => {
  it("reaches every option by each of its names", () => {
    for (const option of optionTable) {
      // An optional number (-l) is told from the command by being a number.
      const value = option.value === undefined ? [] : [option.optional?.("x") === false ? "2" : "x"]
      for (const name of [...option.short.map((s) => `-${s}`), ...[option.name, ...option.long].map((l) => `--${l}`)]) {
        expect(split([name, ...value, "cmd"]).values.get(option.name), name).toEqual([value[0] ?? ""])
      }
    }
  })

  it("names each option once", () => {
    const names = optionTable.flatMap((option) => [option.name, ...option.long, ...option.short])
    expect(new Set(names).size).toBe(names.length)
  })

  it("parses values into @fanout/shell's types", () => {
    expect(settings("--timeout", "1m30s").timeout).toEqual(Duration.millis(90_000))
    expect(settings("--timeout", "200%").timeout).toEqual({ percent: 200 })
    expect(settings("--timeout", "0").timeout).toBeUndefined()
    expect(settings("--delay", "0.5").delay).toEqual(Duration.millis(500))
    expect(settings("--resume-failed", "--joblog", "x").resume).toBe("succeeded")
    expect(settings("--halt", "now,fail=1").halt).toMatchObject({ when: "now" })
    expect(settings("-j0").jobs).toBe(Infinity)
  })

  it("applies options in the table's order, whatever order they are given in", () => {
    expect(settings("-0", "-d", ",").delimiter).toBe("\0")
    expect(settings("-u", "--lb").output).toBe("ungroup")
    expect(settings("--lb", "--group").output).toBe("line")
  })

  it("keeps the last value of a single option, every value of a repeatable one", () => {
    expect(settings("-j", "abc", "-j", "3").jobs).toBe(3)
    expect(settings("-a", "x", "-a", "y").argFiles).toEqual(["x", "y"])
  })
})

describe("options fanout does not take", () => {
  it("are none of the options it takes", () => {
    const taken = new Set(optionTable.flatMap((option) => [option.name, ...option.long, ...option.short]))
    for (const refused of unsupportedOptions) {
      for (const name of [...refused.long, ...(refused.short ?? [])]) expect(taken.has(name), name).toBe(false)
    }
  })

  it("are rejected by name, with what to do instead", () => {
    expect(() => split(["--tee", "wc"])).toThrow("--tee: not supported by fanout; split the input first")
    expect(() => split(["--files0", "echo"])).toThrow("--files0: not supported by fanout; use --files")
    expect(() => split(["-kM", "echo"])).toThrow("-M: not supported by fanout; jobs run on this machine only")
    // -S is taken for `:` (this machine) alone
    expect(() => settings("-kS", "host")).toThrow("-S: expected ':' (this machine")
    expect(() => settings("-kS", ":")).not.toThrow()
    expect(() => split(["--semap", "echo"])).toThrow("--semap: not supported by fanout; use flock(1)")
  })
})
