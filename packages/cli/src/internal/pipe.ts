/**
 * `--pipe`: the jobs of a run whose input is the bytes of stdin. Each block of
 * the splitter (`blocks.ts`) becomes one job with the block on its stdin, or in
 * a file or fifo named by `{}` (`--cat`, `--fifo`); with `--round-robin` one
 * job a slot takes block after block. Blocks are read only as jobs take them,
 * so memory holds about one block a running job, plus the one being cut.
 *
 * @internal
 */
import type { Job } from "@fanout/shell"
import type * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { readBlocks } from "./blockReader.js"
import { type Block, blocks, type SplitOptions } from "./blocks.js"
import type { Config } from "./config.js"
import * as Exit from "./exit.js"
import { UsageError } from "./exit.js"
import { templatesOf } from "./jobSpec.js"
import { pipePartSpecs } from "./pipePart.js"
import { gated, type RunIo, runSpecs } from "./runBatch.js"
import { noArg, render } from "./template.js"
import { parsePipeHeader } from "./values.js"

/** GNU parallel's default `--block`. */
const defaultBlock = 2 ** 20

/** @internal */
export const splitOptionsOf = (config: Config, warn: (message: string) => void): SplitOptions => {
  const block = config.block ?? defaultBlock
  if (block < 0) {
    throw new UsageError({
      message: `--block: expected a positive size with --pipe (-N is for --pipepart), got ${block}`
    })
  }
  return {
    blockSize: block,
    recstart: config.recstart,
    recend: config.recend,
    regexp: config.regexp,
    records: config.maxReplaceArgs,
    lines: config.maxLines,
    header: parsePipeHeader(config.header),
    removeRecSep: config.removeRecSep,
    warn
  }
}

/** `--pipe` needs a command: GNU parallel's words. @internal */
export const checkCommand = (config: Config): void => {
  if (config.command.length === 0) {
    throw new UsageError({ message: "--pipe/--pipepart: expected a command to pipe into (e.g. 'cat'), got none" })
  }
}

const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** Five random letters and digits, as GNU parallel's temporary names (`/tmp/parXXXXX`). @internal */
export const tempName = (): string => {
  let name = ""
  for (let i = 0; i < 5; i++) name += letters[Math.floor(Math.random() * letters.length)]
  return name
}

/** Temporary files of `--cat` and `--fifo`: named as GNU parallel names them, removed when their job ends. */
export class TempFiles {
  private readonly bySeq = new Map<number, string>()

  constructor(private readonly dir: string) {}

  name(seq: number): string {
    const file = path.join(this.dir, `par${tempName()}`)
    this.bySeq.set(seq, file)
    return file
  }

  /** Removes the job's file, if it has one (a fifo is removed by its own job). */
  readonly release = (result: Job.JobResult): Effect.Effect<void> =>
    Effect.promise(async () => {
      const file = this.bySeq.get(result.seq)
      if (file === undefined) return
      this.bySeq.delete(result.seq)
      await fs.promises.rm(file, { force: true })
    })

  /** Removes what is left (jobs stopped before they ended). */
  readonly releaseAll: Effect.Effect<void> = Effect.promise(async () => {
    const files = [...this.bySeq.values()]
    this.bySeq.clear()
    await Promise.all(files.map((file) => fs.promises.rm(file, { force: true })))
  })
}

/** @internal */
export const tmpdirOf = (config: Config): string => config.tmpdir ?? process.env.TMPDIR ?? os.tmpdir()

const bytesOf = (block: Block): ReadonlyArray<Uint8Array> =>
  block.header.length > 0 ? [block.header, ...block.chunks] : block.chunks

/** A block's job as its templates see it: `{}` is the block's file, or nothing. */
const blockJob = (config: Config, file: string | undefined, seq: number, slot: number) => ({
  args: [file ?? noArg],
  seq,
  slot,
  total: seq,
  slots: config.jobs
})

/**
 * The command and the tag for one block: `{}` is the block's file under
 * `--cat`/`--fifo` and nothing otherwise; the inputs are never appended.
 *
 * @internal
 */
export const blockLines = (config: Config, file: string | undefined, seq: number) => {
  const templates = templatesOf(config, [], false)
  const tag = templates.tag
  return {
    command: (slot: number): string => render(templates.command, blockJob(config, file, seq, slot)),
    tag: tag === undefined ? undefined : (slot: number) => render(tag, blockJob(config, file, seq, slot), false)
  }
}

/**
 * `--fifo`: the command runs in the background reading the fifo while the
 * block is written into it; the job's status is the command's. As in GNU
 * parallel, a command that never opens `{}` leaves the writer waiting.
 */
const fifoWrapped = (command: string): string =>
  `mkfifo -m 600 "$PARALLEL_TMP" || exit 255; (${command}) & cat > "$PARALLEL_TMP"; wait $!; ` +
  `_s=$?; rm -f "$PARALLEL_TMP"; exit $_s`

/** A job spec for block `seq`, its bytes on stdin, in a file or through a fifo. @internal */
export const blockSpec = async (
  config: Config,
  seq: number,
  bytes: ReadonlyArray<Uint8Array> | (() => AsyncIterable<Uint8Array>),
  files: TempFiles
): Promise<Job.JobSpec> => {
  if (config.blockAs === "stdin") {
    const { command, tag } = blockLines(config, undefined, seq)
    return { seq, args: [], command, tag, stdin: bytes }
  }
  const file = files.name(seq)
  const { command, tag } = blockLines(config, file, seq)
  const env = { PARALLEL_TMP: file }
  if (config.blockAs === "fifo") {
    return {
      seq,
      args: [],
      command: (slot) => fifoWrapped(command(slot)),
      tag,
      env,
      stdin: bytes
    }
  }
  const handle = await fs.promises.open(file, "wx", 0o600)
  try {
    if (typeof bytes === "function") {
      for await (const chunk of bytes()) await handle.write(chunk)
    } else {
      await handle.writev(bytes as Array<Uint8Array>)
    }
  } finally {
    await handle.close()
  }
  return { seq, args: [], command, tag, env, stdin: "ignore" }
}

/** One job a block, made as the batch asks for the next job; `started` is told of each job's block. @internal */
export async function* pipeSpecs(
  config: Config,
  source: AsyncIterable<Block>,
  files: TempFiles,
  started: (seq: number, block: Block) => void = () => {}
): AsyncGenerator<Job.JobSpec> {
  let seq = 0
  for await (const block of source) {
    started(++seq, block)
    yield await blockSpec(config, seq, bytesOf(block), files)
  }
}

/**
 * `--round-robin`: a job for each of the first blocks, one a slot; after that
 * each block goes to the first job whose pipe takes more. A job gets the
 * header once.
 *
 * @internal
 */
export async function* roundRobinSpecs(
  config: Config,
  source: AsyncIterable<Buffer | string>,
  slots: number,
  files: TempFiles,
  warn: (message: string) => void
): AsyncGenerator<Job.JobSpec> {
  const shared = blocks(source, splitOptionsOf(config, warn))[Symbol.asyncIterator]()
  for (let seq = 1; seq <= slots; seq++) {
    const first = await shared.next()
    if (first.done === true) return
    const dealt = async function*() {
      yield* bytesOf(first.value)
      for (;;) {
        const next = await shared.next()
        if (next.done === true) return
        yield* next.value.chunks
      }
    }
    yield await blockSpec(config, seq, dealt, files)
  }
}

/** @internal */
export interface PipeIo extends RunIo {
  /** Where `--pipe` reads (default: fd 0). */
  readonly stdin?: NodeJS.ReadableStream | undefined
}

/**
 * Runs `--pipe` or `--pipepart`: the jobs are made from the blocks as slots
 * free up; temporary files of `--cat`/`--fifo` are removed as jobs end, and
 * whatever is left when the run stops.
 *
 * @internal
 */
export const runPipe = (config: Config, io: PipeIo, drain: Deferred.Deferred<void>): Effect.Effect<number, Error> =>
  Effect.suspend(() => {
    checkCommand(config)
    const files = new TempFiles(tmpdirOf(config))
    const warn = (message: string) => void io.stderr.write(Exit.line(`warning: ${message}`))
    const slots = config.jobs === Infinity ? unlimitedSlots : config.jobs
    // Made only when read: touching process.stdin makes fd 0 non-blocking for the reader below.
    const source = () => (io.stdin ?? stdinSource(config.block ?? defaultBlock)) as AsyncIterable<Buffer | string>
    if (config.dryRun) return dryRun(config, io, source, slots, files, warn)
    if (config.pipePart || config.roundRobin) {
      const specs = config.pipePart
        ? pipePartSpecs(config, slots, files)
        : roundRobinSpecs(config, source(), slots, files, warn)
      return runSpecs(config, (gate) => gated(specs, gate), io, drain, files.release).pipe(
        Effect.ensuring(files.releaseAll)
      )
    }
    const options = splitOptionsOf(config, warn)
    // Our own stdin is read into reused buffers (blockReader.ts); a stream given in its place is read as it comes.
    const reader = io.stdin === undefined ? readBlocks(0, options, slots) : undefined
    const held = new Map<number, Block>()
    const specs = pipeSpecs(config, reader?.blocks ?? blocks(source(), options), files, (seq, block) => {
      if (reader !== undefined) held.set(seq, block)
    })
    const ended = (result: Job.JobResult) =>
      Effect.zipRight(
        Effect.sync(() => {
          const block = held.get(result.seq)
          if (block === undefined) return
          held.delete(result.seq)
          reader!.release(block)
        }),
        files.release(result)
      )
    return runSpecs(config, (gate) => gated(specs, gate), io, drain, ended).pipe(Effect.ensuring(files.releaseAll))
  })

/**
 * Our stdin. A regular file is read in reads of up to a block (at most 4 MiB):
 * `process.stdin` reads a file 64 KiB at a time through the thread pool, which
 * made `--pipe < 259 MB file` 1.6× slower than the same bytes through a pipe.
 */
const stdinSource = (block: number): AsyncIterable<Buffer | string> => {
  if (!fs.fstatSync(0).isFile()) return process.stdin
  const highWaterMark = Math.min(Math.max(block, 1 << 16), 1 << 20)
  return fs.createReadStream("/dev/stdin", { fd: 0, highWaterMark, autoClose: false })
}

/**
 * `--dry-run` under `--pipe`: the input is read and cut all the same, and each
 * block's command line is printed instead of run, as GNU parallel does.
 */
const dryRun = (
  config: Config,
  io: PipeIo,
  source: () => AsyncIterable<Buffer | string>,
  slots: number,
  files: TempFiles,
  warn: (message: string) => void
): Effect.Effect<number, Error> =>
  Effect.tryPromise({
    try: async () => {
      const specs = config.pipePart
        ? pipePartSpecs({ ...config, blockAs: "stdin" }, slots, files)
        : pipeSpecs(config, blocks(source(), splitOptionsOf(config, warn)), files)
      try {
        for await (const spec of specs) {
          const line = blockLines(config, undefined, spec.seq).command(((spec.seq - 1) % slots) + 1)
          await new Promise<void>((resolve) => io.stdout.write(`${line}\n`, () => resolve()))
        }
      } finally {
        await Effect.runPromise(files.releaseAll)
      }
      return 0
    },
    catch: (error) => (error instanceof Error ? error : new Error(String(error)))
  })

/** `-j 0` with `--round-robin`: as the batch's own cap. */
const unlimitedSlots = 256
