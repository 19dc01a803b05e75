import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { Halt } from "../src/index.js"

describe("Halt.parse", () => {
  it("reads GNU parallel's forms, legacy ones included", () => {
    expect(Halt.parse("now,fail=1")).toEqual(
      Either.right({ when: "now", on: "fail", threshold: { _tag: "Count", count: 1 } })
    )
    expect(Halt.parse("soon,success=30%")).toEqual(
      Either.right({ when: "soon", on: "success", threshold: { _tag: "Percent", percent: 30 } })
    )
    expect(Halt.parse("now,done=2")).toEqual(
      Either.right({ when: "now", on: "done", threshold: { _tag: "Count", count: 2 } })
    )
    expect(Halt.parse("never")).toEqual(Either.right({ when: "never" }))
    expect(Halt.parse("0")).toEqual(Either.right({ when: "never" }))
    expect(Halt.parse("2")).toEqual(Halt.parse("now,fail=1"))
    expect(Halt.parse("-1")).toEqual(Halt.parse("soon,success=1"))
    expect(Halt.parse("10%")).toEqual(Halt.parse("soon,fail=10%"))
  })

  it("takes decimal percentages and surrounding spaces; legacy N% only below 100", () => {
    expect(Halt.parse(" soon,fail=33.3% ")).toEqual(
      Either.right({ when: "soon", on: "fail", threshold: { _tag: "Percent", percent: 33.3 } })
    )
    expect(Halt.parse("50%")).toEqual(Halt.parse("soon,fail=50%"))
    expect(Either.isLeft(Halt.parse("100%"))).toBe(true)
    expect(Either.isLeft(Halt.parse("now,fail=1.5"))).toBe(true)
  })

  it("rejects anything else with a one-line message naming the value", () => {
    for (
      const bad of ["", "later,fail=1", "now", "now,fail", "now,fail=x", "now,oops=1", "now,fail=0", "soon,fail=101%"]
    ) {
      const result = Halt.parse(bad)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left.message).toContain(`"${bad}"`)
        expect(result.left.message).not.toContain("\n")
      }
    }
  })
})
