import { describe, expect, it } from "@effect/vitest"
import { Bytes } from "@fanout/shell"

describe("Bytes", () => {
  it("round-trips every byte sequence exactly", () => {
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256
    for (let n = 0; n < 2000; n++) {
      const bytes = Buffer.from(Array.from({ length: n % 40 }, random))
      expect(Bytes.encode(Bytes.decode(bytes))).toEqual(bytes)
    }
  })

  it("decodes valid UTF-8 as usual, including pairs whose second half is in U+DC80–U+DCFF", () => {
    const text = "café 💀 \uFFFD"
    expect(Bytes.decode(Buffer.from(text))).toBe(text)
    expect(Bytes.hasRawBytes(text)).toBe(false)
    expect(Bytes.encode(text)).toEqual(Buffer.from(text))
  })

  it("keeps each invalid byte as U+DC80 + its value", () => {
    const text = Bytes.decode(Buffer.from([0x63, 0xe9, 0xff, 0xc3]))
    expect(text).toBe("c\udce9\udcff\udcc3")
    expect(Bytes.hasRawBytes(text)).toBe(true)
  })
})
