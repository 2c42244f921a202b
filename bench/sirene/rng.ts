/**
 * Seeded pseudo-random numbers for the synthetic SIRENE stock: the fixture web's xoshiro128**
 * generator (plugins/web/fixture/rng.ts) plus weighted picks. No Math.random anywhere, so the same
 * seed gives the same bytes on every machine.
 */

import { Rng } from "../../plugins/web/fixture/rng.ts"

export { Rng }

export class Weighted<T> {
  readonly items: ReadonlyArray<T>
  private readonly cumulative: Float64Array
  private readonly total: number

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    if (entries.length === 0) throw new Error("Weighted: no entries")
    this.items = entries.map(([item]) => item)
    this.cumulative = new Float64Array(entries.length)
    let sum = 0
    entries.forEach(([, weight], index) => {
      sum += Math.max(0, weight)
      this.cumulative[index] = sum
    })
    if (sum <= 0) throw new Error("Weighted: weights sum to zero")
    this.total = sum
  }

  draw(rng: Rng): T {
    return this.items[this.index(rng.float() * this.total)]!
  }

  private index(target: number): number {
    const cumulative = this.cumulative
    let low = 0
    let high = cumulative.length - 1
    while (low < high) {
      const mid = (low + high) >>> 1
      if (cumulative[mid]! > target) high = mid
      else low = mid + 1
    }
    return low
  }
}

/** Walker's alias method: O(1) draws of indexes 0..n-1 with fixed relative weights. */
export class Alias {
  private readonly probability: Float64Array
  private readonly alias: Int32Array
  readonly size: number

  constructor(weights: ArrayLike<number>) {
    const n = weights.length
    if (n === 0) throw new Error("Alias: no weights")
    let sum = 0
    for (let i = 0; i < n; i++) sum += Math.max(0, weights[i]!)
    if (sum <= 0) throw new Error("Alias: weights sum to zero")
    this.size = n
    this.probability = new Float64Array(n)
    this.alias = new Int32Array(n)
    const scaled = new Float64Array(n)
    const small: Array<number> = []
    const large: Array<number> = []
    for (let i = 0; i < n; i++) {
      scaled[i] = (Math.max(0, weights[i]!) * n) / sum
      if (scaled[i]! < 1) small.push(i)
      else large.push(i)
    }
    while (small.length > 0 && large.length > 0) {
      const less = small.pop()!
      const more = large.pop()!
      this.probability[less] = scaled[less]!
      this.alias[less] = more
      scaled[more] = scaled[more]! + scaled[less]! - 1
      if (scaled[more]! < 1) small.push(more)
      else large.push(more)
    }
    for (const i of large) this.probability[i] = 1
    for (const i of small) this.probability[i] = 1
  }

  draw(rng: Rng): number {
    const x = rng.float() * this.size
    const column = Math.floor(x)
    return x - column < this.probability[column]! ? column : this.alias[column]!
  }
}
