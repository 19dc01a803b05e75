// tinypool 2 (vitest's fork of piscina), its defaults but a fixed thread count.
import Tinypool from "tinypool"
import { keepInFlight, main, taskInput, workFile } from "./common.js"

main(async (params) => {
  const pool = new Tinypool({
    filename: workFile,
    minThreads: params.size,
    maxThreads: params.size,
    idleTimeout: 60_000
  })
  return {
    run: (n, inFlight) => keepInFlight(n, inFlight, (i) => pool.run(taskInput(params, i))),
    close: () => pool.destroy()
  }
})
