// p-queue: every task added up front, Promise.all over the results.
import PQueue from "p-queue"
import { indices, main, promiseTask } from "./common.js"

main(({ concurrency, n, task }) => {
  const items = indices(n)
  const f = promiseTask(task)
  const queue = new PQueue({ concurrency })
  return Promise.all(items.map((i) => queue.add(() => f(i))))
})
