/**
 * Which shell runs the jobs. `--shell`, then `$PARALLEL_SHELL`, as GNU
 * parallel; otherwise `/bin/sh` for a plain command (dash starts in about
 * half the time of bash) and bash when the command needs it: it calls an
 * exported bash function, or uses bash's syntax. With no command (each input
 * is a command line) the commands are not known in advance, so the shell
 * fanout was started from is used when it is bash, as GNU parallel does.
 *
 * An exported function is the environment variable `BASH_FUNC_name%%`. A
 * `/bin/sh` script between the user's bash and fanout (pnpm's `.bin` shim,
 * `npx` and `npm run`, which run `sh -c`) drops it before fanout starts, and
 * nothing fanout can read still holds it; when the command names a program
 * that does not exist, fanout says so and how to start it instead.
 *
 * @internal
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { bad } from "./exit.js"
import { literalText, type Template } from "./template.js"
import { checkShell } from "./values.js"

/** Bash's, not POSIX sh's: `[[`, `$'…'`, process substitution, brace expansion, `function`, `&>`, … */
const bashSyntax = new RegExp(
  [
    String.raw`\[\[`,
    String.raw`\$'`,
    String.raw`[<>]\(`,
    String.raw`\{[\w.+-]*\.\.[\w.+-]*\}`,
    String.raw`\{[^{}\s]*,[^{}\s]*\}`,
    String.raw`(^|[\s;&|(])function\s`,
    String.raw`&>`,
    String.raw`\|&`,
    String.raw`<<<`,
    String.raw`(^|[\s;&|])\(\(`,
    String.raw`(^|\s)\w+=\(`,
    String.raw`\$\{!`,
    String.raw`\$\{#?\w+(\[[^\]]*\])?(/|\^|,|:[^-=?+])`,
    String.raw`(^|[\s;&|(])(source|shopt|declare|typeset|let|local -n|mapfile|readarray|coproc|select|disown)\s`,
    String.raw`\b(PIPESTATUS|BASH_\w+|RANDOM|SECONDS|FUNCNAME)\b`
  ].join("|")
)

const exportedFunction = /^BASH_FUNC_(.+)%%$/

/** The exported bash functions in `env`, by name. @internal */
export const exportedFunctions = (env: NodeJS.ProcessEnv): Set<string> => {
  const names = new Set<string>()
  for (const key of Object.keys(env)) {
    const match = exportedFunction.exec(key)
    if (match !== null) names.add(match[1])
  }
  return names
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The template's own text: what the user wrote, without the inputs. */
const templateText = (template: Template): string => literalText(template)

/** Whether the command calls one of `functions` or is written in bash. @internal */
export const needsBash = (text: string, functions: ReadonlySet<string>): boolean => {
  if (bashSyntax.test(text)) return true
  for (const name of functions) {
    if (new RegExp(`(^|[\\s;&|(\`])${escape(name)}($|[\\s;&|)\`])`).test(text)) return true
  }
  return false
}

const executable = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** A program by name, on `PATH` (or where Debian and most systems put shells). */
const onPath = (name: string, env: NodeJS.ProcessEnv): string | undefined => {
  const dirs = [...(env.PATH ?? "").split(":").filter((dir) => dir !== ""), "/bin", "/usr/bin"]
  for (const dir of dirs) {
    const file = path.join(dir, name)
    if (executable(file)) return file
  }
  return undefined
}

const shellNames = /^-?(bash|zsh|ksh|ksh93|mksh|dash|ash|sh|yash|posh|fish|tcsh|csh)$/

/**
 * The shell fanout was started from, as GNU parallel finds it: the nearest
 * ancestor process whose command is a shell. Linux only; undefined elsewhere.
 *
 * @internal
 */
export const parentShell = (pid: number = process.ppid): string | undefined => {
  for (let depth = 0; pid > 1 && depth < 16; depth++) {
    let cmdline: string
    let stat: string
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1")
      stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1")
    } catch {
      return undefined
    }
    const argv0 = cmdline.split("\0")[0]
    const name = path.basename(argv0)
    if (shellNames.test(name)) {
      try {
        return fs.readlinkSync(`/proc/${pid}/exe`)
      } catch {
        return argv0.startsWith("/") ? argv0 : undefined
      }
    }
    // the parent pid is the fourth field, after the command name in parentheses
    pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
  }
  return undefined
}

/**
 * The shell for the jobs of `template`.
 *
 * `envNames` are `--env`'s: an exported function among them calls for bash too.
 *
 * @throws UsageError for a `$PARALLEL_SHELL` that is not an executable shell.
 * @internal
 */
export const chooseShell = (
  explicit: string | undefined,
  template: Template,
  envNames: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = process.env
): string => {
  if (explicit !== undefined) return explicit
  const fromEnv = env.PARALLEL_SHELL
  if (fromEnv !== undefined && fromEnv !== "") {
    const found = fromEnv.includes("/") ? fromEnv : onPath(fromEnv, env)
    if (found === undefined) throw bad("$PARALLEL_SHELL", "an executable shell (not found)", fromEnv)
    try {
      return checkShell(found)
    } catch {
      throw bad("$PARALLEL_SHELL", "an executable shell", fromEnv)
    }
  }
  const bash = () => onPath("bash", env) ?? "/bin/sh"
  if (!template.hasCommand) {
    const parent = parentShell()
    return parent !== undefined && path.basename(parent) === "bash" ? parent : "/bin/sh"
  }
  const functions = exportedFunctions(env)
  if (envNames.some((name) => functions.has(name))) return bash()
  return needsBash(templateText(template), functions) ? bash() : "/bin/sh"
}

const builtins = new Set([
  ...[".", ":", "[", "alias", "bg", "break", "cd", "command", "continue", "echo", "eval", "exec", "exit", "export"],
  ...["false", "fg", "getopts", "hash", "jobs", "kill", "printf", "pwd", "read", "readonly", "return", "set"],
  ...["shift", "test", "times", "trap", "true", "type", "ulimit", "umask", "unalias", "unset", "wait", "case"],
  ...["for", "if", "while", "until", "do", "done", "then", "fi", "esac", "function", "time", "{", "!", "local"]
])

/** The first word of the command, when it is a plain name (no quoting, no replacement string). */
const firstName = (template: Template): string | undefined => {
  const word = /^\s*([A-Za-z_][\w.+-]*)(\s|$)/.exec(literalText(template, "\x01"))?.[1]
  return word === undefined || word.includes("=") ? undefined : word
}

/** The `/bin/sh` script fanout was started through, if any: bash names what it ran in `$_`. */
const shellScriptLauncher = (env: NodeJS.ProcessEnv): string | undefined => {
  const launcher = env._
  if (launcher !== undefined && launcher !== "") {
    try {
      const head = Buffer.alloc(32)
      const fd = fs.openSync(launcher, "r")
      try {
        fs.readSync(fd, head, 0, head.length, 0)
      } finally {
        fs.closeSync(fd)
      }
      if (/^#!\s*(\/bin\/sh|\/bin\/dash|\/usr\/bin\/env\s+sh)\s/.test(head.toString("latin1"))) return launcher
    } catch {
      // not a file we can read: no launcher to name
    }
  }
  return env.npm_command === "exec" || env.npm_lifecycle_event !== undefined
    ? "npm (npx and npm run use sh -c)"
    : undefined
}

/**
 * One line for a command whose first word is no program, builtin or exported
 * function here, when a `/bin/sh` launcher may have dropped a function of
 * that name; undefined otherwise.
 *
 * @internal
 */
export const lostFunctionWarning = (template: Template, env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const name = firstName(template)
  if (name === undefined || builtins.has(name) || exportedFunctions(env).has(name)) return undefined
  if (onPath(name, env) !== undefined) return undefined
  const launcher = shellScriptLauncher(env)
  if (launcher === undefined) return undefined
  return `'${name}' is not a command here. If it is an exported bash function, ${launcher} is a /bin/sh script, ` +
    "which drops exported functions before fanout starts: run fanout's own launcher (npm's bin link, a symlink " +
    "to it, or pnpm with prefer-symlinked-executables=true)"
}
