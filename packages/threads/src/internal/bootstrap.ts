/**
 * The code every thread runs (as `eval` code, so it needs no file of its own
 * and works the same from `src/` under a TypeScript loader and from `dist/`):
 * import the module, say "ready" (or why not), then run each call it is sent.
 * The thread waits for calls on its port's 'message' event, so between calls
 * its event loop keeps turning and the module's timers and messages work.
 *
 * A TypeScript module is imported after registering tsx's loader in the thread
 * (`workerData.tsLoader`): on Node 20 a thread does not inherit the `--import
 * tsx` hooks of the process (tsx#354), so `.ts` would not load otherwise.
 *
 * Messages, thread to pool: `{ type: "ready" }`, `{ type: "startError", error }`,
 * `{ type: "done", id, value, heapUsed? }`, `{ type: "failed", id, error }`.
 * Pool to thread: `{ id, name, args }`.
 *
 * @internal
 */
export const bootstrap = String.raw`
const { parentPort, workerData } = require("node:worker_threads")
const transferKey = Symbol.for("@fanout/threads/transfer")

const cloneable = (value) => {
  try {
    structuredClone(value)
    return true
  } catch {
    return false
  }
}

const serialize = (error) => {
  const isError = error instanceof Error
  const properties = {}
  if (typeof error === "object" && error !== null) {
    for (const key of Object.keys(error)) {
      if (key !== "name" && key !== "message" && key !== "stack" && cloneable(error[key])) properties[key] = error[key]
    }
  }
  return {
    name: isError ? String(error.name) : typeof error,
    message: isError ? String(error.message) : String(error),
    stack: isError && typeof error.stack === "string" ? error.stack : undefined,
    properties
  }
}

const unwrap = (value) =>
  typeof value === "object" && value !== null && transferKey in value ? [value.value, value[transferKey]] : [value, []]

const run = async (module, { id, name, args }) => {
  try {
    const fn = module[name]
    if (typeof fn !== "function") throw new TypeError("'" + name + "' is not a function exported by " + workerData.module)
    const [value, transfer] = unwrap(await fn(...args))
    const heapUsed = workerData.reportHeap ? process.memoryUsage().heapUsed : undefined
    parentPort.postMessage({ type: "done", id, value, heapUsed }, transfer)
  } catch (error) {
    parentPort.postMessage({ type: "failed", id, error: serialize(error) })
  }
}

const loaded = workerData.tsLoader === undefined
  ? Promise.resolve()
  : import(workerData.tsLoader).then((api) => void api.register())

loaded.then(() => import(workerData.module)).then(
  (module) => {
    parentPort.on("message", (message) => void run(module, message))
    parentPort.postMessage({ type: "ready" })
  },
  (error) => parentPort.postMessage({ type: "startError", error: serialize(error) })
)
`
