// The thread side of cpu-bound.ts: plain named exports. A TypeScript module works
// when the program runs under tsx (its threads inherit the loader); compiled, a .js.

/** A deliberately CPU-bound function: naive Fibonacci. */
export const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2))
