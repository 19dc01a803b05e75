/** @internal */
/**
 * The identity for now; see execPrefix in DESIGN.md "Performance".
 *
 * @internal
 */
export const execPrefix = (command: string, _shell: string, _env: NodeJS.ProcessEnv): string => command
