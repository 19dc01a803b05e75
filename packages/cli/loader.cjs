#!/usr/bin/env node
// fanout's entry point (copied to dist/fanout.cjs by build.mjs): runs the bundled CLI,
// dist/cli.cjs, through a V8 code cache.
//
// It is CommonJS, as is bin/fanout.cjs that requires it: an ES-module entry starts
// Node's ES module loader, about 10 ms of a 180 ms fanout --version.
//
// Compiling the 430 KB bundle was the largest part of fanout's start-up (Node 20
// has no compile cache for modules of its own). The cache belongs to the machine that
// runs fanout, not the one that built it: V8 accepts a cache only from its own version
// and flags, so it is made by the first run, in a directory the user can write
// ($XDG_CACHE_HOME/fanout, else the OS temp dir), named after a hash of the bundle and
// the V8 version (npm gives every installed file the same mtime, so no stat will do). A run that finds it missing or rejected, and has no Node
// flags, writes it: to a temporary file then renamed, so concurrent runs never see half
// a cache. A read-only or missing cache directory just means running without one.
"use strict"
// `fanout --version` alone needs none of the bundle: answered here, it costs what an empty
// script does (build.mjs writes the package's version in; $PARALLEL's options could make
// the same command line an error, so then the bundle decides).
const version = "0.0.0-source"
const bundleHash = ""
const words = process.argv.slice(2)
if (words.length === 1 && (words[0] === "--version" || words[0] === "-V") && !process.env.PARALLEL) {
  process.stdout.write(`${version}\n`)
  return
}
const fs = require("node:fs")
const { createRequire } = require("node:module")
const os = require("node:os")
const path = require("node:path")
const vm = require("node:vm")

const bundle = path.join(__dirname, "cli.cjs")
const source = fs.readFileSync(bundle, "utf8")

const cacheFile = () => {
  const xdg = process.env.XDG_CACHE_HOME
  const dir = xdg !== undefined && path.isAbsolute(xdg)
    ? path.join(xdg, "fanout")
    : path.join(os.tmpdir(), `fanout-cache-${process.getuid?.() ?? "user"}`)
  // build.mjs writes the bundle's hash in: hashing it here, and loading crypto to do so, cost 5 ms a start
  const hash = bundleHash !== ""
    ? bundleHash
    : require("node:crypto").createHash("sha256").update(source).digest("hex").slice(0, 16)
  return path.join(dir, `cli-${hash}-v8-${process.versions.v8}.cache`)
}

const readCache = (file) => {
  try {
    return fs.readFileSync(file)
  } catch {
    return undefined
  }
}

const file = cacheFile()
const cachedData = readCache(file)
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData
})
// Node flags (a profiler's, say) change what V8 accepts: such a run neither uses nor replaces the cache.
if ((cachedData === undefined || script.cachedDataRejected === true) && process.execArgv.length === 0) {
  process.once("exit", () => {
    const temporary = `${file}.${process.pid}`
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
      fs.writeFileSync(temporary, script.createCachedData())
      fs.renameSync(temporary, file)
    } catch {
      try {
        fs.rmSync(temporary, { force: true })
      } catch {
        // the directory itself is not ours to write: run without a cache
      }
    }
  })
}
const cli = { exports: {} }
script.runInThisContext()(cli.exports, createRequire(bundle), cli, bundle, path.dirname(bundle))
