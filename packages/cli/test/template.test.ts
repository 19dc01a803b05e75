import { describe, expect, it } from "@effect/vitest"
import { parse, quote, render, transform } from "../src/internal/template.js"

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
    const cases: Array<[string, string, string, string, string]> = [
      ["a/b.c/d.e.f", "a/b.c/d.e", "d.e.f", "a/b.c", "d.e"],
      ["dir/", "dir/", "", ".", ""],
      [".hidden", "", ".hidden", ".", ""],
      ["//x", "//x", "x", "/", "x"],
      ["a/.b", "a/", ".b", "a", ""],
      ["", "", "", ".", ""],
      ["/", "/", "", "/", ""]
    ]
    for (const [input, noext, base, dir, baseNoext] of cases) {
      expect(
        [
          transform(input, "noext"),
          transform(input, "basename"),
          transform(input, "dirname"),
          transform(input, "basename-noext")
        ],
        input
      ).toEqual([noext, base, dir, baseNoext])
    }
  })

  it("appends the quoted args when the template has no replacement string", () => {
    const template = parse(["echo", "x"])
    expect(render(template, ["a b", "c"], 1, 1)).toBe("echo x 'a b' c")
  })

  it("substitutes positional, negative and out-of-range args", () => {
    const template = parse(["echo", "{2}-{1.}", "{-1}", "{3}", "{#}/{%}"])
    expect(render(template, ["a.txt", "b c"], 7, 2)).toBe("echo 'b c'-a 'b c'  7/2")
  })

  it("leaves unknown braces alone", () => {
    expect(render(parse(["echo", "{1x}", "{ }", "{}"]), ["a"], 1, 1)).toBe("echo {1x} { } a")
  })

  it("runs the input itself when there is no command", () => {
    expect(render(parse([]), ["echo a", "b c"], 1, 1)).toBe("echo a b c")
  })
})
