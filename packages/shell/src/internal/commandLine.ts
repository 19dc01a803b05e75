/** @internal */
const plainWord = /^[A-Za-z0-9_\-./:=@%+,]+$/

/**
 * Quotes a word for a Bourne shell only when it needs it, exactly as GNU
 * parallel does (`shell_quote_scalar_default`), so that a joblog names an
 * argv as GNU parallel's would and the CLI's `--dry-run` prints its line.
 *
 * @internal
 */
export const quote = (word: string): string => {
  if (word === "") return "''"
  if (!/[^-_.+a-zA-Z0-9/]/.test(word)) return word
  let quoted = `'${word.replaceAll("'", `'"'"'`)}'`
  if (quoted.startsWith("''")) quoted = quoted.slice(2)
  if (quoted.endsWith("''")) quoted = quoted.slice(0, -2)
  return quoted
}

/** @internal */
export const commandText = (command: string | ReadonlyArray<string>): string =>
  typeof command === "string" ? command : command.map(quote).join(" ")

/** @internal */
export const defaultShell = "/bin/sh"

/** Words that dash runs itself: `exec` would find another program by that name, or none. */
const shellWords = new Set([
  ...[".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo", "eval", "exec", "exit"],
  ...["export", "false", "fc", "fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd", "read"],
  ...["readonly", "return", "set", "shift", "test", "times", "trap", "true", "type", "ulimit", "umask"],
  ...["unalias", "unset", "wait", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in"],
  ...["then", "until", "while", "function", "time", "select"]
])

/** Anything that could make a command line more than one simple command, or its first word more than a name. */
const compound = /[\n;&|<>()`{}!#]/
const firstWord = /^\s*([^\s]+)/
const programName = /^[A-Za-z0-9_./][A-Za-z0-9_\-./+,@%:]*$/

/**
 * Debian's `/bin/sh` (dash) runs the one command of `sh -c 'cmd args'` as a child
 * and waits, where bash replaces itself: a second fork and exec per job, about
 * 3 ms of slot time here, and a shell between the job's signals and its program.
 * A command line that is plainly one simple command running a program gets
 * `exec ` in front, which bash does on its own. Anything else (builtins,
 * keywords, assignments, redirections, lists, pipes, quoting in the first word)
 * runs as written.
 *
 * @internal
 */
export const execPrefixed = (command: string, shell: string): string => {
  const base = shell.slice(shell.lastIndexOf("/") + 1)
  if (base !== "sh" && base !== "dash") return command
  if (compound.test(command)) return command
  const first = firstWord.exec(command)?.[1]
  if (first === undefined || !programName.test(first) || shellWords.has(first)) return command
  return `exec ${command}`
}

/**
 * The words of a command line that the shell would only split and `exec`
 * (see `execPrefixed`; every word plain, nothing to expand or quote), or
 * `undefined`. The job runner executes those words itself, saving the shell's
 * own start (a third of a `true` job's cost here), and falls back to the
 * shell when the program cannot be run, so that the shell's message and
 * status stay what the user sees.
 *
 * @internal
 */
export const plainWords = (command: string, shell: string): ReadonlyArray<string> | undefined => {
  if (!execPrefixed(command, shell).startsWith("exec ") || command.startsWith("exec ")) return undefined
  const words = command.split(/[ \t]+/).filter((word) => word !== "")
  return words.every((word) => plainWord.test(word)) ? words : undefined
}
