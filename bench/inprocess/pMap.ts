// p-map: maps an iterable with a concurrency bound, results in input order.
import pMap from "p-map"
import { indices, main, promiseTask } from "./common.js"

main(({ concurrency, n, task }) => {
  const items = indices(n)
  const f = promiseTask(task)
  return pMap(items, (i) => f(i), { concurrency })
})
