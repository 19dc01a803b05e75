// The thread side of every threads case: the same two functions for every pool.
export const add = ({ a, b }) => a + b
export const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2))
export const loop = () => {
  while (true) {}
}
// piscina and tinypool call the default export with one argument.
export default (task) => (task.fib === undefined ? add(task) : fib(task.fib))
