/**
 * The job runner's wire format, protocol 1 (described in full at the top of
 * helper.pl): frames of type (1 byte), id (u32 BE), length (u32 BE), payload.
 *
 * @internal
 */
import * as Bytes from "../bytes.js"
import type { TermSeq } from "../termSeq.js"

/** @internal */
export const protocolVersion = 1

const headerBytes = 9

/** Relayed bytes a job may have in flight before the runner stops reading its pipes (helper.pl's `$window`). @internal */
export const windowBytes = 1 << 20

/** @internal */
export const frame = (type: string, id: number, payload: Uint8Array | string = ""): Buffer => {
  const body = typeof payload === "string" ? Buffer.from(payload, "latin1") : payload
  const out = Buffer.allocUnsafe(headerBytes + body.length)
  out.write(type, 0, "latin1")
  out.writeUInt32BE(id, 1)
  out.writeUInt32BE(body.length, 5)
  out.set(body, headerBytes)
  return out
}

/** A word with a NUL byte cannot be an argument or a variable: the OS would cut it there. */
const hasNul = (word: string) => word.includes("\0")

/** @internal */
export interface RunFields {
  readonly argv: ReadonlyArray<string>
  /** Run when `argv` cannot be (a plain command tried without its shell first). */
  readonly fallback?: ReadonlyArray<string> | undefined
  readonly extraEnv: Readonly<Record<string, string>>
  readonly cwd: string | undefined
  readonly termSeq: TermSeq
  readonly relayStdout: boolean
  readonly relayStderr: boolean
}

/** @internal */
export const termSeqText = (termSeq: TermSeq): string =>
  termSeq.steps.map((step) => `${step.signal.replace(/^SIG/, "")},${step.waitMs}`).join(",")

/**
 * The payload of `R`, as bytes (raw bytes in the words stay themselves), or
 * `undefined` when a word holds a NUL byte.
 *
 * @internal
 */
export const runPayload = (fields: RunFields): Buffer | undefined => {
  const fallback = fields.fallback === undefined ? [] : [String(fields.fallback.length), ...fields.fallback]
  const words = [
    (fields.relayStdout ? "o" : "") + (fields.relayStderr ? "e" : "") + (fields.fallback === undefined ? "" : "f"),
    termSeqText(fields.termSeq),
    fields.cwd ?? "",
    String(fields.argv.length),
    ...fields.argv,
    ...fallback
  ]
  for (const name in fields.extraEnv) words.push(`${name}=${fields.extraEnv[name]}`)
  if (words.some(hasNul)) return undefined
  return Bytes.encode(words.join("\0"))
}

/** The payload of `V`: the base environment. @internal */
export const envPayload = (env: NodeJS.ProcessEnv): Buffer => {
  const words: Array<string> = []
  for (const name in env) {
    const value = env[name]
    if (value !== undefined && !hasNul(name) && !hasNul(value)) words.push(`${name}=${value}`)
  }
  return Bytes.encode(words.join("\0"))
}

/** @internal */
export interface Done {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly runtime: number
  readonly stdoutBytes: number
  readonly stderrBytes: number
}

/** @internal */
export const parseDone = (payload: Buffer): Done => {
  const [code, signal, runtime, out, err] = payload.toString("latin1").split(" ")
  return {
    code: code === "-" ? null : Number(code),
    signal: signal === "-" ? null : (/^\d+$/.test(signal) ? `SIG${signal}` : `SIG${signal}`) as NodeJS.Signals,
    runtime: Math.round(Number(runtime)),
    stdoutBytes: Number(out),
    stderrBytes: Number(err)
  }
}

/** @internal */
export interface FrameHandler {
  /** A whole frame, or, for `O`/`E`, part of one's payload (output needs no boundaries). */
  (type: number, id: number, payload: Buffer): void
}

/**
 * Cuts the runner's output into frames. Output payloads are passed on in
 * the pieces they arrive in, so the bytes of a large output are never copied
 * to be joined; any other frame is handed over whole.
 *
 * @internal
 */
export class FrameReader {
  private header = Buffer.alloc(headerBytes)
  private headerHave = 0
  private type = 0
  private id = 0
  private left = -1
  private parts: Array<Buffer> = []

  constructor(private readonly handler: FrameHandler) {}

  push(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length) {
      if (this.left < 0) {
        const take = Math.min(headerBytes - this.headerHave, chunk.length - at)
        chunk.copy(this.header, this.headerHave, at, at + take)
        this.headerHave += take
        at += take
        if (this.headerHave < headerBytes) return
        this.headerHave = 0
        this.type = this.header[0]
        this.id = this.header.readUInt32BE(1)
        this.left = this.header.readUInt32BE(5)
        if (this.left === 0) this.end()
        continue
      }
      const take = Math.min(this.left, chunk.length - at)
      const piece = chunk.subarray(at, at + take)
      at += take
      this.left -= take
      if (isOutput(this.type)) this.handler(this.type, this.id, piece)
      else this.parts.push(piece)
      if (this.left === 0) this.end()
    }
  }

  private end() {
    if (!isOutput(this.type)) {
      const payload = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts)
      this.parts = []
      this.handler(this.type, this.id, payload)
    }
    this.left = -1
  }
}

/** @internal */
export const code = (type: string): number => type.charCodeAt(0)

const O = code("O")
const E = code("E")

const isOutput = (type: number): boolean => type === O || type === E
