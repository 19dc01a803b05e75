export declare const add: (task: { a: number; b: number }) => number
export declare const fib: (n: number) => number
export declare const loop: () => never
declare const run: (task: { a: number; b: number } | { fib: number }) => number
export default run
