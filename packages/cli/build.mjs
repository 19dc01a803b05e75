// Bundles the CLI into one ESM file (dist/fanout.js): module loading, not our code,
// dominates start-up, so one tree-shaken file starts much faster than the sources.
import * as esbuild from "esbuild"
import { fileURLToPath } from "node:url"

const here = fileURLToPath(new URL(".", import.meta.url))

await esbuild.build({
  entryPoints: [`${here}src/bin.ts`],
  outfile: `${here}dist/fanout.js`,
  bundle: true,
  minify: true,
  platform: "node",
  target: "node20",
  format: "esm",
  treeShaking: true,
  legalComments: "none",
  // A bundled CommonJS dependency may call require() on Node built-ins.
  banner: {
    js:
      "#!/usr/bin/env node\nimport { createRequire as __fanoutRequire } from \"node:module\"\nconst require = __fanoutRequire(import.meta.url)"
  },
  logLevel: "warning"
})
