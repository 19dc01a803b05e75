#!/usr/bin/env node
// The `fanout` executable: runs the entry point built by `pnpm run build` (also run on install).
"use strict"
try {
  require.resolve("../dist/fanout.cjs")
} catch {
  process.stderr.write("fanout: the CLI is not built yet; run `pnpm run build` in the repository root\n")
  process.exit(255)
}
require("../dist/fanout.cjs")
