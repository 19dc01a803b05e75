/**
 * Inputs and command lines are bytes, not UTF-8 text: a file name from an old
 * archive or an SMB mount may hold any byte. These functions carry bytes in an
 * ordinary string without loss: valid UTF-8 decodes as usual and every other
 * byte becomes the lone surrogate U+DC80 + its value (Python's
 * "surrogateescape"). A job's command line made of such strings reaches the
 * shell as the original bytes.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/bytes.js"

/**
 * Bytes as a string, losslessly.
 *
 * @example
 * ```ts
 * import { Bytes } from "@fanout/shell"
 *
 * const name = Bytes.decode(Buffer.from([0x63, 0x61, 0x66, 0xe9])) // "caf" + "\udce9"
 * Bytes.encode(name) // <Buffer 63 61 66 e9>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const decode: (bytes: Uint8Array) => string = internal.decode

/**
 * The bytes a string from {@link decode} stands for (plain UTF-8 for any other string).
 *
 * @since 0.1.0
 * @category conversions
 */
export const encode: (text: string) => Buffer = internal.encode

/**
 * Whether a string holds a byte that is not valid UTF-8 (an escaped byte).
 *
 * @since 0.1.0
 * @category predicates
 */
export const hasRawBytes: (text: string) => boolean = internal.hasRawBytes
