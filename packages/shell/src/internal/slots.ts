/** @internal */

/**
 * Job slots 1..jobs; a job takes the lowest free one and gives it back when it
 * is done (retries keep theirs), as GNU parallel's `{%}`.
 *
 * @internal
 */
export class Slots {
  private readonly busy: Array<boolean>
  constructor(jobs: number) {
    this.busy = new Array<boolean>(jobs).fill(false)
  }
  take(): number {
    const free = this.busy.indexOf(false)
    const index = free === -1 ? this.busy.length : free
    this.busy[index] = true
    return index + 1
  }
  release(slot: number): void {
    this.busy[slot - 1] = false
  }
}
