#!/usr/bin/env node
// The `fanout` executable: loads the bundle built by `pnpm run build` (also run on install).
import("../dist/fanout.js").catch((error) => {
  if (error && error.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/fanout.js")) {
    process.stderr.write("fanout: the CLI is not built yet; run `pnpm run build` in the repository root\n")
    process.exit(255)
  }
  throw error
})
