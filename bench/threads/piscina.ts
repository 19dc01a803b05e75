// piscina 5, with atomics "sync" (its default) or "disabled" (plain port messages, as fanout).
import { Piscina } from "piscina"
import { keepInFlight, main, taskInput, workFile } from "./common.js"

main(async (params) => {
  const pool = new Piscina({
    filename: workFile,
    minThreads: params.size,
    maxThreads: params.size,
    atomics: params.atomics,
    idleTimeout: 60_000
  })
  return {
    run: (n, inFlight) => keepInFlight(n, inFlight, (i) => pool.run(taskInput(params, i))),
    close: () => pool.destroy()
  }
})
