/**
 * Run budgets as one scoped layer per run: HTTP requests and bytes are acquired before use and
 * never exceeded; wall time and RAM are sampled and stop the run within one sampling interval.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
export const BudgetName = Schema.Literal("http_requests", "http_bytes", "wall_time", "ram")
export type BudgetName = typeof BudgetName.Type

/** Units per budget, for messages: requests, bytes, minutes, MiB. */
const UNITS: Record<BudgetName, string> = {
  http_requests: "requests",
  http_bytes: "bytes",
  wall_time: "min",
  ram: "MiB"
}

export class BudgetExceeded extends Schema.TaggedError<BudgetExceeded>()("BudgetExceeded", {
  budget: BudgetName,
  limit: Schema.Number,
  used: Schema.Number,
  requested: Schema.optional(Schema.Number)
}) {
  override get message() {
    const unit = UNITS[this.budget]
    const asked = this.requested !== undefined ? ` (${this.requested} more asked)` : ""
    return `budget ${this.budget} exceeded: limit ${this.limit} ${unit}, used ${round(this.used)} ${unit}${asked}`
  }
}

const round = (value: number) => Math.round(value * 100) / 100

export interface BudgetLimits {
  readonly max_http_requests?: number | undefined
  readonly max_http_bytes?: number | undefined
  readonly max_wall_time_min?: number | undefined
  readonly max_ram_mb?: number | undefined
}

/** The job setting (`budgets.<key>`) that limits each budget: read by the runner and by `filon monitoring`. */
export const BUDGET_SETTINGS = {
  http_requests: "max_http_requests",
  http_bytes: "max_http_bytes",
  wall_time: "max_wall_time_min",
  ram: "max_ram_mb"
} as const satisfies Record<BudgetName, keyof BudgetLimits>

export const BudgetLine = Schema.Struct({
  used: Schema.Number,
  limit: Schema.NullOr(Schema.Number),
  exceeded: Schema.Boolean
})
export const BudgetUsage = Schema.Struct({
  http_requests: BudgetLine,
  http_bytes: BudgetLine,
  /** Minutes since the run started. */
  wall_time: BudgetLine,
  /** Peak resident memory sampled, MiB. */
  ram: BudgetLine
})
export type BudgetUsage = typeof BudgetUsage.Type

export interface BudgetShape {
  /** Takes `amount` units before use; fails without taking anything when the limit would be passed. */
  readonly acquire: (budget: "http_requests" | "http_bytes", amount: number) => Effect.Effect<void, BudgetExceeded>
  /**
   * `acquire` without an effect, for hot loops (a response body counted chunk by chunk): undefined when
   * taken, else the error, nothing taken.
   */
  readonly tryAcquire: (budget: "http_requests" | "http_bytes", amount: number) => BudgetExceeded | undefined
  readonly usage: Effect.Effect<BudgetUsage>
  /** Fails as soon as a sampled budget (wall time, RAM) is exceeded; never succeeds. */
  readonly exceeded: Effect.Effect<never, BudgetExceeded>
}

export interface BudgetOptions {
  /** How often wall time and RAM are sampled. @default 500 millis */
  readonly sampleEvery?: Duration.DurationInput
  /** Reads resident memory in bytes (tests substitute their own). */
  readonly readRss?: () => number
}

export class Budget extends Context.Tag("core/Budget")<Budget, BudgetShape>() {
  /** One budget for one run: counters live in the layer's scope, the sampler is a scoped fiber. */
  static readonly layer = (limits: BudgetLimits, options: BudgetOptions = {}) =>
    Layer.scoped(Budget, makeBudget(limits, options))

  /** No limits: for tests and tools that run steps outside a job. */
  static get unlimited() {
    return Budget.layer({})
  }
}

/** Mutated in place: one JavaScript thread, and no read-modify-write spans an await. */
interface Counters {
  http_requests: number
  http_bytes: number
  peakRssMb: number
  readonly hit: Set<BudgetName>
}

const makeBudget = (limits: BudgetLimits, options: BudgetOptions) =>
  Effect.gen(function* () {
    const readRss = options.readRss ?? (() => process.memoryUsage.rss())
    const startedAt = yield* Clock.currentTimeMillis
    // Plain counters rather than a Ref: a body is counted chunk by chunk, thousands of times a second.
    const counters: Counters = {
      http_requests: 0,
      http_bytes: 0,
      peakRssMb: readRss() / 1048576,
      hit: new Set()
    }
    const stop = yield* Deferred.make<never, BudgetExceeded>()
    const limitOf = {
      http_requests: limits[BUDGET_SETTINGS.http_requests],
      http_bytes: limits[BUDGET_SETTINGS.http_bytes],
      wall_time: limits[BUDGET_SETTINGS.wall_time],
      ram: limits[BUDGET_SETTINGS.ram]
    } satisfies Record<BudgetName, number | undefined>

    const tryAcquire: BudgetShape["tryAcquire"] = (budget, amount) => {
      if (!Number.isFinite(amount) || amount < 0) {
        throw new Error(`budget ${budget}: cannot acquire ${amount} (a bug in the caller)`)
      }
      const limit = limitOf[budget]
      if (limit !== undefined && counters[budget] + amount > limit) {
        counters.hit.add(budget)
        return new BudgetExceeded({ budget, limit, used: counters[budget], requested: amount })
      }
      counters[budget] += amount
      return undefined
    }

    // A bad amount throws in tryAcquire: a defect here, as a bug in the caller should be.
    const acquire: BudgetShape["acquire"] = (budget, amount) =>
      Effect.suspend(() => {
        const error = tryAcquire(budget, amount)
        return error ? Effect.fail(error) : Effect.void
      })

    const elapsedMin = Clock.currentTimeMillis.pipe(Effect.map((now) => (now - startedAt) / 60_000))

    const sample = Effect.gen(function* () {
      const rssMb = readRss() / 1048576
      const minutes = yield* elapsedMin
      counters.peakRssMb = Math.max(counters.peakRssMb, rssMb)
      const over =
        limitOf.wall_time !== undefined && minutes > limitOf.wall_time
          ? new BudgetExceeded({ budget: "wall_time", limit: limitOf.wall_time, used: minutes })
          : limitOf.ram !== undefined && rssMb > limitOf.ram
            ? new BudgetExceeded({ budget: "ram", limit: limitOf.ram, used: rssMb })
            : undefined
      if (over) {
        counters.hit.add(over.budget)
        yield* Deferred.fail(stop, over)
      }
    })
    if (limitOf.wall_time !== undefined || limitOf.ram !== undefined) {
      yield* Effect.forkScoped(Effect.repeat(sample, Schedule.spaced(options.sampleEvery ?? "500 millis")))
    }

    const usage = Effect.gen(function* () {
      const minutes = yield* elapsedMin
      const line = (budget: BudgetName, used: number) => ({
        used: round(used),
        limit: limitOf[budget] ?? null,
        exceeded: counters.hit.has(budget)
      })
      return {
        http_requests: line("http_requests", counters.http_requests),
        http_bytes: line("http_bytes", counters.http_bytes),
        wall_time: line("wall_time", minutes),
        ram: line("ram", counters.peakRssMb)
      }
    })

    return { acquire, tryAcquire, usage, exceeded: Deferred.await(stop) } satisfies BudgetShape
  })
