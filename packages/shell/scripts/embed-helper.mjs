// Writes src/internal/runner/helperScript.ts from helper.pl, the job runner's one source:
// the library sends the script to `perl -e` itself, so it must not depend on finding a file
// on disk (bundlers drop such assets). test/JobRunner.test.ts fails when the two differ.
//
//   node packages/shell/scripts/embed-helper.mjs
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "internal", "runner")
const script = fs.readFileSync(path.join(dir, "helper.pl"), "latin1")
fs.writeFileSync(
  path.join(dir, "helperScript.ts"),
  "// Generated from helper.pl by packages/shell/scripts/embed-helper.mjs: edit helper.pl, then run that.\n" +
    "/** @internal */\n" +
    `export const helperScript =\n  ${JSON.stringify(script)}\n`
)
