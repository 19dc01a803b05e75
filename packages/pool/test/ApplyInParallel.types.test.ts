// Type-level specification of applyInParallel. `expectTypeOf` checks nothing at run time: these
// assertions are checked by `tsc -p tsconfig.json` (the test command's `check` step), which fails
// on any of them that does not hold.
import { Context, Effect, pipe, Stream } from "effect"
import type { Exit } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import { applyInParallel } from "../src/index.js"
import type { Items } from "../src/index.js"

class Db extends Context.Tag("Db")<Db, { readonly get: (key: number) => string }>() {}
class Feed extends Context.Tag("Feed")<Feed, ReadonlyArray<number>>() {}

class Missing {
  readonly _tag = "Missing"
  constructor(readonly key: number) {}
}
class FeedDown {
  readonly _tag = "FeedDown"
}

/** `f` fails with `Missing` and needs `Db`. */
const lookup = (key: number, _index: number): Effect.Effect<string, Missing, Db> =>
  Effect.flatMap(Db, (db) => key < 0 ? Effect.fail(new Missing(key)) : Effect.succeed(db.get(key)))

/** A source that fails with `FeedDown` and needs `Feed`. */
const feed: Stream.Stream<number, FeedDown, Feed> = Stream.unwrap(Effect.map(Feed, Stream.fromIterable))

async function* generated() {
  yield 1
}

describe("applyInParallel's types", () => {
  it("fail-fast: the results in an array; f's error and requirements", () => {
    const fromArray = applyInParallel([1, 2, 3], lookup, { concurrency: 2 })
    expectTypeOf(fromArray).toEqualTypeOf<Effect.Effect<Array<string>, Missing, Db>>()
    // the mode spelled out is the same form
    expectTypeOf(applyInParallel([1], lookup, { concurrency: 2, mode: "fail-fast" })).toEqualTypeOf(fromArray)
    expectTypeOf(applyInParallel([1], lookup, { concurrency: 2, mode: undefined })).toEqualTypeOf(fromArray)
  })

  it("fail-fast over a Stream: the source's error and requirements join f's", () => {
    expectTypeOf(applyInParallel(feed, lookup, { concurrency: 2 })).toEqualTypeOf<
      Effect.Effect<Array<string>, Missing | FeedDown, Db | Feed>
    >()
  })

  it("settle: an Exit per item; f's error is in the Exits, not in the effect's error channel", () => {
    expectTypeOf(applyInParallel([1, 2, 3], lookup, { concurrency: 2, mode: "settle" })).toEqualTypeOf<
      Effect.Effect<Array<Exit.Exit<string, Missing>>, never, Db>
    >()
    expectTypeOf(applyInParallel(feed, lookup, { concurrency: 2, mode: "settle" })).toEqualTypeOf<
      Effect.Effect<Array<Exit.Exit<string, Missing>>, FeedDown, Db | Feed>
    >()
  })

  it("an iterable or an AsyncIterable adds no error and no requirement", () => {
    const pure = (n: number) => Effect.succeed(n * 2)
    expectTypeOf(applyInParallel(new Set([1, 2]), pure, { concurrency: 2 })).toEqualTypeOf<
      Effect.Effect<Array<number>>
    >()
    expectTypeOf(applyInParallel(generated(), pure, { concurrency: 2, mode: "settle" })).toEqualTypeOf<
      Effect.Effect<Array<Exit.Exit<number>>>
    >()
  })

  it("f gets the item's type and its index", () => {
    applyInParallel(["a", "b"], (item, index) => {
      expectTypeOf(item).toEqualTypeOf<string>()
      expectTypeOf(index).toEqualTypeOf<number>()
      return Effect.void
    }, { concurrency: 1 })
  })

  it("stream: a Stream of the results, with the errors and requirements of f and the source", () => {
    expectTypeOf(applyInParallel.stream([1, 2], lookup, { concurrency: 2 })).toEqualTypeOf<
      Stream.Stream<string, Missing, Db>
    >()
    expectTypeOf(applyInParallel.stream(feed, lookup, { concurrency: 2, ordered: false })).toEqualTypeOf<
      Stream.Stream<string, Missing | FeedDown, Db | Feed>
    >()
  })

  it("discard: void, with f's error in fail-fast and only the input's in settle", () => {
    expectTypeOf(applyInParallel([1], lookup, { concurrency: 2, discard: true })).toEqualTypeOf<
      Effect.Effect<void, Missing, Db>
    >()
    expectTypeOf(applyInParallel(feed, lookup, { concurrency: 2, mode: "settle", discard: true })).toEqualTypeOf<
      Effect.Effect<void, FeedDown, Db | Feed>
    >()
    expectTypeOf(pipe([1], applyInParallel(lookup, { concurrency: 2, discard: true }))).toEqualTypeOf<
      Effect.Effect<void, Missing, Db>
    >()
    // a discard that is not known to be true or false has no single result type
    const discard: boolean = Math.random() > 0.5
    // @ts-expect-error either void or an array: say which
    applyInParallel([1], lookup, { concurrency: 2, discard })
  })

  it("data-last (for pipe): the same types as data-first", () => {
    expectTypeOf(pipe([1, 2], applyInParallel(lookup, { concurrency: 2 }))).toEqualTypeOf<
      Effect.Effect<Array<string>, Missing, Db>
    >()
    expectTypeOf(pipe(feed, applyInParallel(lookup, { concurrency: 2, mode: "settle" }))).toEqualTypeOf<
      Effect.Effect<Array<Exit.Exit<string, Missing>>, FeedDown, Db | Feed>
    >()
    expectTypeOf(feed.pipe(applyInParallel.stream(lookup, { concurrency: 2 }))).toEqualTypeOf<
      Stream.Stream<string, Missing | FeedDown, Db | Feed>
    >()
  })

  it("Items names what applyInParallel reads", () => {
    expectTypeOf<Array<number>>().toExtend<Items<number>>()
    expectTypeOf(generated()).toExtend<Items<number>>()
    expectTypeOf(feed).toExtend<Items<number, FeedDown, Feed>>()
    expectTypeOf(feed).not.toExtend<Items<number>>()
  })

  it("rejects what is not a form: settle's Exits are not plain results, and options are required", () => {
    // settle returns Exits, not the values
    expectTypeOf(applyInParallel([1], lookup, { concurrency: 1, mode: "settle" })).not.toEqualTypeOf(
      applyInParallel([1], lookup, { concurrency: 1 })
    )
    // @ts-expect-error concurrency is required
    applyInParallel([1], lookup, {})
    // @ts-expect-error there is no third mode
    applyInParallel([1], lookup, { concurrency: 1, mode: "race" })
  })
})
