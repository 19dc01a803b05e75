// p-limit: every task wrapped up front, Promise.all over the lot (its README's usage).
import pLimit from "p-limit"
import { indices, main, promiseTask } from "./common.js"

main(({ concurrency, n, task }) => {
  const items = indices(n)
  const f = promiseTask(task)
  const limit = pLimit(concurrency)
  return Promise.all(items.map((i) => limit(() => f(i))))
})
