/**
 * `--results` and `--files`: job output kept apart instead of printed, in GNU
 * parallel 20221122's layouts.
 *
 * - `--results DIR`: per job `DIR/1/<input 1>/2/<input 2>/…/{seq,stdout,stderr}`
 *   (`/` in an input is `\_`, `\` is `\\`, TAB `\t`, NUL `\0`); nothing on stdout.
 * - `--results NAME` with replacement strings (`out/{1}/{2}`): NAME, NAME.err
 *   and NAME.seq for each job, or NAME/{stdout,stderr,seq} when NAME ends in `/`.
 * - `--results name.csv|.tsv|.json`: one row per job as it ends (Seq, Host,
 *   Starttime, JobRuntime, Send, Receive, Exitval, Signal, Command, V1…,
 *   Stdout, Stderr); `-.csv` writes the rows to stdout.
 * - `--files`: each job's stdout goes to a temporary file, whose name is printed.
 *
 * Each is an `Output` for the batch, so the batch's rules (retries, halts)
 * stay the batch's.
 *
 * @internal
 */
import type { Job, Output } from "@fanout/shell"
import { Bytes } from "@fanout/shell"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { bad } from "./exit.js"
import { tempName } from "./pipe.js"
import * as Template from "./template.js"

/** What the results need of a job beyond its output: its inputs and the bytes it was sent. */
interface Sent {
  readonly args: ReadonlyArray<string>
  readonly send: number
}

/** @internal */
export interface Results {
  readonly output: Output.Output
  /** Passes the specs through, noting what each job is sent. */
  readonly track: (specs: AsyncIterable<Job.JobSpec>) => AsyncIterable<Job.JobSpec>
}

const stdinLength = (stdin: Job.JobStdin | undefined): number => {
  if (stdin === undefined || typeof stdin === "string" || typeof stdin === "function") return 0
  if (stdin instanceof Uint8Array) return stdin.length
  return stdin.reduce((sum, chunk) => sum + chunk.length, 0)
}

const makeTracker = () => {
  const sent = new Map<number, Sent>()
  const track = async function*(specs: AsyncIterable<Job.JobSpec>) {
    for await (const spec of specs) {
      sent.set(spec.seq, { args: spec.args, send: stdinLength(spec.stdin) })
      yield spec
    }
  }
  return { sent, track }
}

/** GNU parallel's `args_as_dirname`. */
const dirName = (args: ReadonlyArray<string>): string =>
  args.flatMap((arg, i) => [
    String(i + 1),
    arg.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\0/g, "\\0").replace(/\//g, "\\_")
  ]).join("/")

const signalNumber = (signal: string | null): number =>
  signal === null ? 0 : (os.constants.signals as Record<string, number>)[signal] ?? 0

const seconds = (ms: number) => (ms / 1000).toFixed(3)

/** The output of one job, gathered (for a row) or written to files (for a directory). */
interface Sink {
  readonly stdout: (chunk: Uint8Array) => Promise<void>
  readonly stderr: (chunk: Uint8Array) => Promise<void>
  readonly end: (record: Output.JobRecord, discard: boolean) => Promise<void>
}

const makeOutput = (open: (job: Output.JobInfo) => Promise<Sink>, finish: () => Promise<void>): Output.Output => ({
  open: (job) =>
    Effect.map(Effect.promise(() => open(job)), (sink) => ({
      stdout: (chunk) => Effect.promise(() => sink.stdout(chunk)),
      stderr: (chunk) => Effect.promise(() => sink.stderr(chunk)),
      end: (record, options) => Effect.promise(() => sink.end(record, options?.discard === true))
    })),
  isHeld: () => false,
  onPrinted: () => {},
  skip: () => Effect.void,
  finish: Effect.promise(finish)
})

/** Where one job's files go: its stdout, its stderr, and a file holding its seq. */
interface Files {
  readonly stdout: string
  readonly stderr: string
  readonly seq: string
}

const inDirectory = (dir: string): Files => ({
  stdout: path.join(dir, "stdout"),
  stderr: path.join(dir, "stderr"),
  seq: path.join(dir, "seq")
})

/** `--results DIR`, or a name with replacement strings: each job's output in files of its own. */
const perJobFiles = (filesOf: (job: Output.JobInfo) => Files, sent: Map<number, Sent>): Output.Output =>
  makeOutput(async (job) => {
    const files = filesOf(job)
    await fs.promises.mkdir(path.dirname(files.seq), { recursive: true })
    await fs.promises.writeFile(files.seq, String(job.seq))
    const stdout = await fs.promises.open(files.stdout, "w")
    const stderr = await fs.promises.open(files.stderr, "w")
    return {
      stdout: async (chunk) => void await stdout.write(chunk),
      stderr: async (chunk) => void await stderr.write(chunk),
      end: async () => {
        sent.delete(job.seq)
        await Promise.all([stdout.close(), stderr.close()])
      }
    }
  }, async () => {})

/** `--results DIR`: GNU parallel's tree of inputs. */
const directory = (dir: string, sent: Map<number, Sent>): Output.Output =>
  perJobFiles((job) => inDirectory(path.join(dir, dirName(sent.get(job.seq)?.args ?? []))), sent)

/**
 * A `--results` name holding replacement strings, filled in for each job (its
 * inputs as they are, `/` making directories): stdout in NAME, stderr in
 * NAME.err and the seq in NAME.seq; a NAME ending in `/` is a directory holding
 * `stdout`, `stderr` and `seq`. As GNU parallel 20221122.
 */
const named = (nameOf: (job: Template.Job) => string, slots: number, sent: Map<number, Sent>): Output.Output =>
  perJobFiles((job) => {
    const name = nameOf({ seq: job.seq, slot: job.slot ?? 1, slots, total: 0, args: sent.get(job.seq)?.args ?? [] })
    return name.endsWith("/") ? inDirectory(name) : { stdout: name, stderr: `${name}.err`, seq: `${name}.seq` }
  }, sent)

/**
 * The template of a `--results` name, when it holds replacement strings.
 *
 * @throws UsageError for `{##}`: GNU parallel reads every input before the first job to
 * know it; fanout's results do not, and refuse it rather than write a wrong name.
 */
const nameTemplate = (name: string, options: Template.TemplateOptions): Template.Template | undefined => {
  const template = Template.parse([name], { ...options, quoteAll: false }, false)
  if (!template.tokens.some((token) => token._tag === "Replace")) return undefined
  if (template.needsTotal) {
    throw bad("--results", "a name without {##} (the number of jobs is not known when the first one starts)", name)
  }
  return template
}

/** GNU parallel's `combine_ref`: quoted when it holds a quote, white space, the separator or NUL. */
const csvField = (separator: string) => (value: string): string => {
  const doubled = value.replace(/"/g, "\"\"")
  return doubled !== value || /[\s\0]/.test(value) || value.includes(separator) ? `"${doubled}"` : value
}

const jsonText = (value: string): string =>
  value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(
    /[\x00-\x1f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  )

interface Row {
  readonly record: Output.JobRecord
  readonly sent: Sent | undefined
  readonly stdout: string
  readonly stderr: string
  readonly received: number
}

const columns = (row: Row) => [
  String(row.record.seq),
  ":",
  seconds(row.record.start),
  seconds(row.record.runtime),
  String(row.sent?.send ?? 0),
  String(row.received),
  String(row.record.exit ?? 0),
  String(signalNumber(row.record.signal)),
  row.record.command
]

/** `--results name.csv|.tsv|.json`: a row a job, written as it ends. */
const table = (
  file: string,
  format: "csv" | "tsv" | "json",
  sent: Map<number, Sent>,
  stdout: NodeJS.WritableStream
): Output.Output => {
  const toStdout = path.basename(file) === `-.${format}`
  const stream: NodeJS.WritableStream = toStdout ? stdout : fs.createWriteStream(file)
  let headed = false
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())))
  const line = (row: Row): string => {
    if (format === "json") {
      const [seq, host, start, runtime, send, receive, exit, signal, command] = columns(row)
      const values = (row.sent?.args ?? []).map((arg) => `"${jsonText(arg)}"`).join(",")
      return `{ "Seq": ${seq}, "Host": "${host}", "Starttime": ${start}, "JobRuntime": ${runtime}, ` +
        `"Send": ${send}, "Receive": ${receive}, "Exitval": ${exit}, "Signal": ${signal}, ` +
        `"Command": "${jsonText(command)}", "V": [ ${values} ], "Stdout": "${jsonText(row.stdout)}", ` +
        `"Stderr": "${jsonText(row.stderr)}" }\n`
    }
    const separator = format === "csv" ? "," : "\t"
    const field = csvField(separator)
    let text = ""
    if (!headed) {
      headed = true
      const values = (row.sent?.args ?? []).map((_, i) => `V${i + 1}`)
      const names = ["Seq", "Host", "Starttime", "JobRuntime", "Send", "Receive", "Exitval", "Signal", "Command"]
      text += [...names, ...values, "Stdout", "Stderr"].join(separator) + "\n"
    }
    const fields = [...columns(row), ...(row.sent?.args ?? []), row.stdout, row.stderr]
    return text + fields.map(field).join(separator) + "\n"
  }
  return makeOutput(async ({ seq }) => {
    const out: Array<Uint8Array> = []
    const err: Array<Uint8Array> = []
    return {
      stdout: async (chunk) => void out.push(chunk),
      stderr: async (chunk) => void err.push(chunk),
      end: async (record, discard) => {
        if (discard) return
        const jobSent = sent.get(seq)
        sent.delete(seq)
        const bytes = Buffer.concat(out)
        await write(line({
          record,
          sent: jobSent,
          stdout: Bytes.decode(bytes),
          stderr: Bytes.decode(Buffer.concat(err)),
          received: bytes.length
        }))
      }
    }
  }, async () => {
    if (toStdout) return
    await new Promise<void>((resolve) => stream.end(resolve))
  })
}

/** `--files`: stdout to `parXXXXX.par` in the temporary directory, its name printed when the job ends. */
const files = (tmpdir: string, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Output.Output =>
  makeOutput(async () => {
    const name = path.join(tmpdir, `par${tempName()}.par`)
    const handle = await fs.promises.open(name, "w")
    return {
      stdout: async (chunk) => void await handle.write(chunk),
      stderr: (chunk) => new Promise<void>((resolve) => stderr.write(chunk, () => resolve())),
      end: async (_, discard) => {
        await handle.close()
        if (discard) await fs.promises.rm(name, { force: true })
        else await new Promise<void>((resolve) => stdout.write(`${name}\n`, () => resolve()))
      }
    }
  }, async () => {})

/**
 * The output for `--results` or `--files`, or undefined when neither is given.
 *
 * @internal
 */
export const make = (
  options: {
    readonly results: string | undefined
    readonly files: boolean
    readonly tmpdir: string
    readonly templateOptions: Template.TemplateOptions
    readonly slots: number
  },
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream
): Results | undefined => {
  const { sent, track } = makeTracker()
  if (options.results !== undefined) {
    const format = /\.(csv|tsv|json)$/i.exec(options.results)?.[1].toLowerCase() as "csv" | "tsv" | "json" | undefined
    if (format !== undefined) return { output: table(options.results, format, sent, stdout), track }
    const template = nameTemplate(options.results, options.templateOptions)
    const output = template === undefined
      ? directory(options.results, sent)
      : named((job) => Template.render(template, job, false), options.slots, sent)
    return { output, track }
  }
  if (options.files) return { output: files(options.tmpdir, stdout, stderr), track }
  return undefined
}
