/**
 * A binary heap whose items know their place in it, so any item is removed in
 * O(log n) (a cancelled waiter leaves the line at once: no lazy deletion).
 *
 * @internal
 */
export interface HeapItem {
  /** The item's index in its heap, -1 when it is in none. */
  heapIndex: number
}

/** @internal */
export class Heap<A extends HeapItem> {
  private readonly items: Array<A> = []

  /** `before(a, b)`: `a` leaves the heap before `b`. */
  constructor(private readonly before: (a: A, b: A) => boolean) {}

  get size(): number {
    return this.items.length
  }

  push(item: A): void {
    item.heapIndex = this.items.push(item) - 1
    this.up(item.heapIndex)
  }

  /** Removes and returns the first item. */
  pop(): A | undefined {
    const top = this.items[0]
    if (top !== undefined) this.remove(top)
    return top
  }

  /** Removes `item` if it is in this heap; `false` if it was not. */
  remove(item: A): boolean {
    const at = item.heapIndex
    if (at < 0 || this.items[at] !== item) return false
    const last = this.items.pop()!
    item.heapIndex = -1
    if (last !== item) {
      this.place(last, at)
      this.up(at)
      this.down(last.heapIndex)
    }
    return true
  }

  /** Empties the heap, returning its items in no particular order. */
  clear(): Array<A> {
    const items = this.items.splice(0)
    for (const item of items) item.heapIndex = -1
    return items
  }

  private place(item: A, at: number) {
    this.items[at] = item
    item.heapIndex = at
  }

  private up(at: number) {
    const item = this.items[at]!
    while (at > 0) {
      const parent = (at - 1) >> 1
      const above = this.items[parent]!
      if (!this.before(item, above)) break
      this.place(above, at)
      at = parent
    }
    this.place(item, at)
  }

  private down(at: number) {
    const items = this.items
    const item = items[at]!
    for (;;) {
      const left = 2 * at + 1
      if (left >= items.length) break
      const right = left + 1
      const child = right < items.length && this.before(items[right]!, items[left]!) ? right : left
      if (!this.before(items[child]!, item)) break
      this.place(items[child]!, at)
      at = child
    }
    this.place(item, at)
  }
}
