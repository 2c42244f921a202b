/**
 * Seeded pseudo-random numbers for the synthetic SIRENE stock: xoshiro128** seeded through
 * splitmix32. No Math.random anywhere, so the same seed gives the same bytes on every machine.
 */

const splitmix32 = (seed: number): (() => number) => {
  let state = seed | 0
  return () => {
    state = (state + 0x9e3779b9) | 0
    let t = state ^ (state >>> 16)
    t = Math.imul(t, 0x21f0aaad)
    t ^= t >>> 15
    t = Math.imul(t, 0x735a2d97)
    return (t ^ (t >>> 15)) >>> 0
  }
}

export class Rng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number

  /** `seed` is any finite number; the low 32 bits and the next 21 bits both count. */
  constructor(seed: number, stream = 0) {
    const low = seed >>> 0
    const high = Math.floor(Math.abs(seed) / 4294967296) >>> 0
    const mix = splitmix32(low ^ Math.imul(high, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35))
    this.s0 = mix()
    this.s1 = mix()
    this.s2 = mix()
    this.s3 = mix()
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    const s1 = this.s1
    const x = Math.imul(s1, 5)
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0
    const t = s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21)
    return result
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n)
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p
  }

  pick<T>(items: ReadonlyArray<T>): T {
    return items[Math.floor((this.u32() / 4294967296) * items.length)]!
  }
}

/** Items drawn with fixed relative weights (binary search over cumulative weights). */
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
