// The CPU-bound tasks one after another on the main thread: what the speed-up is measured against.
import { main, taskInput } from "./common.js"
import { fib } from "./work.mjs"

main(async (params) => ({
  run: async (n) => {
    for (let i = 0; i < n; i++) fib((taskInput(params, i) as { fib: number }).fib)
    return n
  },
  close: async () => undefined
}))
