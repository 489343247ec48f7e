/**
 * The token-trace generator's randomness (docs/tokens.md): xoshiro128** seeded through
 * splitmix32, one independent stream per (purpose, layer, head), so adding heads or layers never
 * changes the data of existing ones. 32-bit integer arithmetic only, identical in TS and
 * AssemblyScript.
 */
import { knuthPoisson } from "../util/poisson.js";

export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Stream purposes. */
export const STREAM = { types: 1, events: 2, dirs: 3, keys: 4, values: 5, queries: 6, policyRandom: 7 } as const;

export function streamSeed(seed: number, kind: number, layer: number, head: number): number {
  return splitmix32((seed ^ Math.imul(kind, 0x9e3779b9) ^ Math.imul(layer, 0x85ebca6b) ^ Math.imul(head, 0xc2b2ae35)) >>> 0);
}

export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => (s = splitmix32(s));
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  next(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** [0, 1) with 24 bits. */
  uniform(): number {
    return (this.next() >>> 8) * 5.960464477539063e-8;
  }

  /** (0, 1] with 24 bits. */
  uniformOpen(): number {
    return ((this.next() >>> 8) + 1) * 5.960464477539063e-8;
  }

  /** N(0, 1) by Box–Muller, emitting the cos output then the sin output. */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniformOpen()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Poisson(lambda), from uniforms in (0, 1]. */
  poisson(lambda: number): number {
    return knuthPoisson(lambda, () => this.uniformOpen());
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A random unit vector of dimension d. */
  unitVector(d: number): Float64Array {
    const v = new Float64Array(d);
    let norm = 0;
    for (let i = 0; i < d; i++) {
      v[i] = this.normal();
      norm += v[i]! * v[i]!;
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < d; i++) v[i]! /= norm;
    return v;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
