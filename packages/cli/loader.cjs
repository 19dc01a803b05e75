#!/usr/bin/env node
// fanout's entry point (copied to dist/fanout.cjs by build.mjs): runs the bundled CLI,
// dist/cli.cjs, through a V8 code cache kept beside it (cli.cjs.cache).
//
// It is CommonJS, as is bin/fanout.cjs that requires it: an ES-module entry starts
// Node's ES module loader, about 10 ms of a 180 ms fanout --version.
//
// Compiling the 430 KB bundle was the largest part of fanout's start-up (Node 20
// has no compile cache for modules of its own). The cache is written when the
// build warms it up, and again by any run that finds it missing or rejected (a
// rebuilt bundle, another Node version) and has no Node flags: written to a temporary file and renamed,
// so concurrent runs never see half a cache; a read-only install just runs
// without it.
"use strict"
const fs = require("node:fs")
const { createRequire } = require("node:module")
const path = require("node:path")
const vm = require("node:vm")

const bundle = path.join(__dirname, "cli.cjs")
const cacheFile = `${bundle}.cache`

const readCache = () => {
  try {
    return fs.readFileSync(cacheFile)
  } catch {
    return undefined
  }
}

const cachedData = readCache()
const source = fs.readFileSync(bundle, "utf8")
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData
})
// Node flags (a profiler's, say) change what V8 accepts: such a run neither uses nor replaces the cache.
if ((cachedData === undefined || script.cachedDataRejected === true) && process.execArgv.length === 0) {
  process.once("exit", () => {
    const temporary = `${cacheFile}.${process.pid}`
    try {
      fs.writeFileSync(temporary, script.createCachedData())
      fs.renameSync(temporary, cacheFile)
    } catch {
      fs.rmSync(temporary, { force: true })
    }
  })
}
const cli = { exports: {} }
script.runInThisContext()(cli.exports, createRequire(bundle), cli, bundle, path.dirname(bundle))
