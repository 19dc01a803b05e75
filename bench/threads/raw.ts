// The floor: bare worker_threads, one request per thread at a time, no queue, no guarantees.
import { Worker } from "node:worker_threads"
import { keepInFlight, main, taskInput, workFile } from "./common.js"

const threadCode = `
const { parentPort, workerData } = require("node:worker_threads")
import(workerData).then((m) => parentPort.on("message", (task) => parentPort.postMessage(m.default(task))))
`

main(async (params) => {
  const idle: Array<Worker> = []
  const waiting: Array<(worker: Worker) => void> = []
  for (let i = 0; i < params.size; i++) idle.push(new Worker(threadCode, { eval: true, workerData: workFile }))
  const call = (task: unknown) =>
    new Promise<unknown>((resolve) => {
      const send = (worker: Worker) => {
        worker.once("message", (value) => {
          const next = waiting.shift()
          if (next !== undefined) next(worker)
          else idle.push(worker)
          resolve(value)
        })
        worker.postMessage(task)
      }
      const worker = idle.pop()
      if (worker !== undefined) send(worker)
      else waiting.push(send)
    })
  return {
    run: (n, inFlight) => keepInFlight(n, inFlight, (i) => call(taskInput(params, i))),
    close: () => Promise.all(idle.map((worker) => worker.terminate()))
  }
})
