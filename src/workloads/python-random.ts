/**
 * CPython 3.11's `random.Random` (MT19937 and the draws built on it), bit for bit. kvsim's
 * generators use it so that kv-hierarchy-lab's workloads regenerate exactly the traces its Python
 * code produced (checked against its exported traces in the tests).
 */
export class PythonRandom {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    const key: number[] = [];
    let rest = seed;
    do {
      key.push(rest % 0x100000000);
      rest = Math.floor(rest / 0x100000000);
    } while (rest > 0);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.index = 624;
  }

  private twist(): void {
    const mt = this.mt;
    // The reference loop's (k + 1) % 624 and (k + 397) % 624, split at the wrap points.
    let k = 0;
    for (; k < 227; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[k + 1]! & 0x7fffffff);
      mt[k] = mt[k + 397]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    for (; k < 623; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[k + 1]! & 0x7fffffff);
      mt[k] = mt[k - 227]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    const y = (mt[623]! & 0x80000000) | (mt[0]! & 0x7fffffff);
    mt[623] = mt[396]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    this.index = 0;
  }

  /** Next tempered 32-bit output. */
  u32(): number {
    if (this.index >= 624) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.u32() >>> 5;
    const b = this.u32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  getrandbits(k: number): number {
    return this.u32() >>> (32 - k);
  }

  randbelow(n: number): number {
    const k = 32 - Math.clz32(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  randrange(a: number, b?: number): number {
    return b === undefined ? this.randbelow(a) : a + this.randbelow(b - a);
  }

  randint(a: number, b: number): number {
    return this.randrange(a, b + 1);
  }

  choice<T>(seq: readonly T[]): T {
    return seq[this.randbelow(seq.length)]!;
  }

  /** `choices(pop, k=k)` without weights. */
  choices<T>(pop: readonly T[], k: number): T[] {
    const n = pop.length;
    return Array.from({ length: k }, () => pop[Math.floor(this.random() * n)]!);
  }

  /** `choices(pop, weights, k=k)`: cumulative weights and bisect_right, as CPython does. */
  weightedChoices<T>(pop: readonly T[], weights: readonly number[], k: number): T[] {
    const cum: number[] = [];
    let total = 0;
    for (const w of weights) cum.push((total += w));
    const n = pop.length;
    const out: T[] = [];
    for (let d = 0; d < k; d++) {
      const x = this.random() * total;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (x < cum[mid]!) hi = mid;
        else lo = mid + 1;
      }
      out.push(pop[lo]!);
    }
    return out;
  }

  /** `sample(pop, k)`: CPython's pool method for small populations, set method otherwise. */
  sample<T>(pop: readonly T[], k: number): T[] {
    const n = pop.length;
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(3 * k) / Math.log(4));
    const out: T[] = [];
    if (n <= setsize) {
      const pool = pop.slice();
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        out.push(pool[j]!);
        pool[j] = pool[n - i - 1]!;
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        out.push(pop[j]!);
      }
    }
    return out;
  }
}
