/**
 * `--header`: column names in the command. `{name}` (and `{name.}`, `{name/}`,
 * `{name//}`, `{name/.}`) becomes `{N}`, N counting the columns of all sources
 * in order; and, as GNU parallel does, a source given as a file is also named
 * by its file name, N counting those files alone.
 *
 * @internal
 */
import type { Source } from "./inputs.js"

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Perl's `split /re/, $line`: the empty fields at the end are dropped. */
const splitNames = (line: string, columns: RegExp | undefined): Array<string> => {
  const names = columns === undefined ? [line] : line.split(columns)
  while (names.length > 0 && names[names.length - 1] === "") names.pop()
  return names
}

const rename = (text: string, name: string, id: number): string =>
  text.replace(new RegExp(`\\{${escape(name)}(|/|//|\\.|/\\.)\\}`, "g"), (_, modifier: string) => `{${id}${modifier}}`)

/**
 * The names, in the order they are applied: each source's header columns,
 * then the file sources' names. `headers` is undefined without a header line
 * to read (`--header 0`).
 *
 * @internal
 */
export const columnNames = (
  headers: ReadonlyArray<string | undefined> | undefined,
  columns: RegExp | undefined,
  sources: ReadonlyArray<ReadonlyArray<Source>>
): Array<readonly [string, number]> => {
  const names: Array<readonly [string, number]> = []
  let id = 1
  for (const header of headers ?? []) {
    if (header === undefined) continue
    for (const name of splitNames(header.replace(/\r$/, ""), columns)) names.push([name, id++])
  }
  id = 1
  for (const source of sources.flat()) if (source._tag === "File") names.push([source.path, id++])
  return names
}

/** `text` with every `{name}` of `names` made `{N}`. @internal */
export const applyNames = (text: string, names: ReadonlyArray<readonly [string, number]>): string =>
  names.reduce((renamed, [name, id]) => name === "" ? renamed : rename(renamed, name, id), text)
