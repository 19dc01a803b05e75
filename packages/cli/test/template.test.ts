import { describe, expect, it } from "@effect/vitest"
import { rulesOf, ungreedy } from "../src/internal/replacements.js"
import { LineLength, parse, quote, render, type TemplateOptions } from "../src/internal/template.js"

const options = (extra: Partial<TemplateOptions> & { plus?: boolean; replace?: string } = {}): TemplateOptions => ({
  rules: rulesOf({ plus: extra.plus ?? false, spellings: extra.replace === undefined ? [] : [["{}", extra.replace]] }),
  context: extra.context ?? false,
  quoteAll: extra.quoteAll ?? false,
  trim: extra.trim ?? "n"
})

const line = (
  words: ReadonlyArray<string>,
  args: ReadonlyArray<string>,
  extra: Parameters<typeof options>[0] = {},
  job: { seq?: number; slot?: number; total?: number; slots?: number } = {}
) => render(parse(words, options(extra)), { seq: 1, slot: 1, total: 1, slots: 4, ...job, args })

describe("quote (GNU parallel's shell_quote_scalar_default)", () => {
  it("leaves safe words alone and single-quotes the rest", () => {
    expect(quote("abc-_.+/9")).toBe("abc-_.+/9")
    expect(quote("")).toBe("''")
    expect(quote("a b")).toBe("'a b'")
    expect(quote("$HOME")).toBe("'$HOME'")
    expect(quote("it's")).toBe(`'it'"'"'s'`)
    expect(quote("'x'")).toBe(`"'"'x'"'"`)
  })
})

describe("replacement strings", () => {
  it("transforms paths like GNU parallel (Perl regexes and File::Basename::dirname)", () => {
    const cases: Array<[string, string]> = [
      ["a/b.c/d.e.f", "a/b.c/d.e d.e.f a/b.c d.e"],
      ["dir/", "dir/ '' . ''"],
      [".hidden", "'' .hidden . ''"],
      ["//x", "//x x / x"],
      ["a/.b", "a/ .b a ''"],
      ["", "'' '' . ''"],
      ["/", "/ '' / ''"]
    ]
    for (const [input, expected] of cases) {
      expect(line(["echo", "{.}", "{/}", "{//}", "{/.}"], [input]), input).toBe(`echo ${expected}`)
    }
  })

  it("appends the quoted args when the template has no replacement string", () => {
    expect(line(["echo", "x"], ["a b", "c"])).toBe("echo x 'a b' c")
  })

  it("substitutes positional, negative and out-of-range args", () => {
    expect(line(["echo", "{2}-{1.}", "{-1}", "{3}", "{#}/{%}"], ["a.txt", "b c"], {}, { seq: 7, slot: 2 })).toBe(
      "echo 'b c'-a 'b c'  7/2"
    )
  })

  it("leaves unknown braces alone", () => {
    expect(line(["echo", "{1x}", "{ }", "{}"], ["a"])).toBe("echo {1x} { } a")
  })

  it("does not quote the inputs when a replacement string is the command", () => {
    expect(line([], ["echo a", "b c"])).toBe("echo a b c")
    expect(line(["{}.sh", "x"], ["a b"])).toBe("a b.sh x")
    expect(line(["V={}", "cmd"], ["a b"])).toBe("V='a b' cmd")
  })

  it("takes -I's string for {}, without a positional form", () => {
    expect(line(["echo", "@@", "{}", "{1}", "{.}"], ["a.b"], { replace: "@@" })).toBe("echo a.b {} {1} a")
  })

  it("has --plus's strings, each as 20221122 defines it", () => {
    const plus = ["{+/}", "{+.}", "{..}", "{...}", "{/..}", "{/...}", "{+..}", "{+...}"]
    expect(line(["echo", ...plus], ["a/b.c.d.e"], { plus: true })).toBe("echo a e a/b.c a/b b.c b d.e c.d.e")
    expect(line(["echo", ...plus], ["x"], { plus: true })).toBe("echo '' '' x x x x '' ''")
    expect(line(["echo", "{##}", "{0#}", "{0%}"], ["a"], { plus: true }, { seq: 3, slot: 2, total: 11, slots: 12 }))
      .toBe("echo 11 03 02")
    expect(line(["echo", "{slot}"], ["a"], { plus: true })).toBe("echo ${PARALLEL_JOBSLOT}")
  })

  it("has --plus's bash-like strings, with Perl patterns", () => {
    const words = ["{:-def}", "{:2}", "{:1:2}", "{#a}", "{##a*b}", "{%c}", "{%%c*d}", "{/b/X}", "{//b/X}"]
    expect(line(["echo", ...words], ["abcbcd"], { plus: true })).toBe(
      "echo abcbcd cbcd bc bcbcd cbcd abcbcd abcb aXcbcd aXcXcd"
    )
    expect(line(["echo", "{:-def}"], ["0"], { plus: true })).toBe("echo def")
    expect(line(["echo", "{/#a/X}", "{/%d/X}", "{^a}", "{^^b}", "{,A}", "{,,B}"], ["AbBB"], { plus: true })).toBe(
      "echo AbBB AbBB AbBB ABBB abBB Abbb"
    )
  })

  it("makes quantifiers lazy as make_regexp_ungreedy does", () => {
    expect(ungreedy("a*b+c{2}[*]\\*d*?")).toBe("a*?b+?c{2}?[*]\\*d*?")
  })

  it("trims inputs when asked", () => {
    expect(line(["echo", "{}x"], [" a "], { trim: "lr" })).toBe("echo ax")
    expect(line(["echo", "{}x"], [" a "], { trim: "l" })).toBe("echo 'a 'x")
    expect(line(["echo", "{}x"], [" a "], { trim: "r" })).toBe("echo ' a'x")
  })

  it("rejects {= perl =}", () => {
    expect(() => parse(["echo", "{= s/a/b/ =}"], options())).toThrow(/perl expression/)
  })
})

describe("several inputs a job", () => {
  it("joins them in place of {} and repeats the word with -X", () => {
    expect(line(["echo", "x{}y", "z"], ["a", "b"])).toBe("echo xa by z")
    expect(line(["echo", "x{}y", "z"], ["a", "b"], { context: true })).toBe("echo xay xby z")
    expect(line(["echo", "a{}b{1}c"], ["x", "y"], { context: true })).toBe("echo axbxc aybxc")
  })

  it("quotes every word with -q, and the inputs only once", () => {
    expect(line(["echo", "a b", "{}"], ["x y"], { quoteAll: true })).toBe("echo 'a b' 'x y'")
    expect(line(["sh", "-c", "echo {}"], ["x y"], { quoteAll: true })).toBe("sh -c 'echo x y'")
  })

  it("shows -n0's input as nothing at all", () => {
    expect(line(["echo", "x", "{}"], ["\0noarg"])).toBe("echo x ")
    expect(line(["echo", "x{}y", "{#}"], ["\0noarg"])).toBe("echo xy 1")
    expect(line(["echo", "x", "{}"], ["\0noarg"], { quoteAll: true })).toBe("echo x")
  })

  it("measures the line as GNU parallel does", () => {
    for (const context of [false, true]) {
      const template = parse(["echo", "x{}y", "z", "{}"], options({ context }))
      const length = new LineLength(template)
      const job = { seq: 1, slot: 1, total: 1, slots: 1 }
      for (const arg of ["a", "b b", "c"]) length.push([arg], job)
      expect(length.value).toBe(render(template, { ...job, args: ["a", "b b", "c"] }).length)
    }
  })
})
