import { describe, expect, it } from "vitest"
import { Heap } from "../src/internal/heap.js"

interface Item {
  heapIndex: number
  readonly key: number
}

const item = (key: number): Item => ({ heapIndex: -1, key })

describe("Heap", () => {
  it("pops in order, and removes any item in place, against a sorted reference", () => {
    let seed = 7
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647
    const heap = new Heap<Item>((a, b) => a.key < b.key)
    const inside: Array<Item> = []
    for (let step = 0; step < 5000; step++) {
      const r = random()
      if (r < 0.5 || inside.length === 0) {
        const it = item(Math.floor(random() * 100))
        heap.push(it)
        inside.push(it)
      } else if (r < 0.75) {
        const it = inside.splice(Math.floor(random() * inside.length), 1)[0]!
        expect(heap.remove(it)).toBe(true)
        expect(it.heapIndex).toBe(-1)
        expect(heap.remove(it)).toBe(false)
      } else {
        const min = Math.min(...inside.map((it) => it.key))
        const top = heap.pop()!
        expect(top.key).toBe(min)
        inside.splice(inside.indexOf(top), 1)
      }
      expect(heap.size).toBe(inside.length)
    }
    const rest = Array.from({ length: heap.size }, () => heap.pop()!.key)
    expect(rest).toEqual(inside.map((it) => it.key).sort((a, b) => a - b))
  })

  it("clear empties it and marks every item as out", () => {
    const heap = new Heap<Item>((a, b) => a.key < b.key)
    const items = [3, 1, 2].map(item)
    items.forEach((it) => heap.push(it))
    expect(heap.clear().map((it) => it.key).sort()).toEqual([1, 2, 3])
    expect(items.every((it) => it.heapIndex === -1)).toBe(true)
    expect(heap.pop()).toBeUndefined()
  })
})
