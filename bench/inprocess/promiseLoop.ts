// The floor: `concurrency` async workers pulling the next index from a shared counter.
import { indices, main, promiseTask } from "./common.js"

main(async ({ concurrency, n, task }) => {
  const items = indices(n)
  const f = promiseTask(task)
  const results = new Array<number>(n)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const at = next++
      results[at] = await f(items[at]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
  return results
})
