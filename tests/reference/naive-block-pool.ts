/**
 * A naive reference of the block pool, written from the vLLM description in the spec and
 * docs/envs.md with plain arrays and Maps (free lists as arrays, content as Maps). Eviction runs
 * the naive page policies of naive-hierarchy.ts on the pool's content, as the engine runs its
 * page policies (assembly/blocks/cached-content.ts). Test oracle only.
 */
import { makePolicy, type RefPolicy, type RefWorld } from "./naive-hierarchy.js";
import { policyInfo, resolvePolicyParams } from "../../src/policies/registry.js";

const NEVER = 0x7fffffff;
/** Policies that keep a block in use in their order (passing over it) rather than letting it leave. */
const KEEPS_PINNED = new Set(["fifo", "sieve", "clock", "s3fifo"]);

interface Block {
  ref: number;
  /** The content's name (a page of the policy), or null when uncached. */
  name: number | null;
}

interface Content {
  tier: number;
  hash: number;
  block: number | null;
  use: number;
}

export class NaiveBlockPool {
  blocks: Block[];
  /** Free blocks without content, per tier, in allocation order. */
  uncached: number[][] = [[], []];
  /** Per tier: hash → name of content cached or remembered there. */
  names: Map<number, number>[] = [new Map(), new Map()];
  /** Per tier: the names of evicted content, oldest first (as many as the tier has blocks). */
  remembered: number[][] = [[], []];
  contents: Content[] = [];
  tables = new Map<number, { tier: number; blocks: number[]; tokens: number; cached: number }>();
  policy: RefPolicy;
  keepsPinned: boolean;
  world: RefWorld;
  hitBlocks = 0;
  evicted = 0;

  constructor(readonly gpu: number, readonly cpu: number, readonly bs: number, readonly perRequest: number, readonly eviction: string, params: Record<string, number> = {}) {
    this.blocks = Array.from({ length: gpu + cpu }, () => ({ ref: 0, name: null }));
    for (let b = 0; b < gpu + cpu; b++) this.uncached[this.tierOf(b)]!.push(b);
    this.policy = makePolicy(eviction, resolvePolicyParams(policyInfo(eviction), params));
    this.keepsPinned = KEEPS_PINNED.has(eviction);
    this.world = { step: 0, tiers: [new Map(), new Map()], size: [], capacity: [gpu, cpu], nextUse: [NEVER], firstUse: [], dropTier: 0, pinned: new Set() };
  }

  tierOf(b: number): number {
    return b < this.gpu ? 0 : 1;
  }

  freeCount(t: number): number {
    return this.uncached[t]!.length + this.blocks.filter((x, b) => this.tierOf(b) === t && x.ref === 0 && x.name !== null).length;
  }

  cachedCount(t: number): number {
    return this.contents.filter((c) => c.tier === t && c.block !== null).length;
  }

  /** The block of tier t caching `hash`, or undefined. */
  caching(t: number, hash: number): number | undefined {
    const name = this.names[t]!.get(hash);
    return name === undefined ? undefined : this.contents[name]!.block ?? undefined;
  }

  private access(name: number, hitTier: number): void {
    this.world.nextUse[0] = this.contents[name]!.use;
    this.policy.onAccess?.(name, hitTier, this.world);
  }

  private enter(name: number, t: number): void {
    this.world.tiers[t]!.set(name, true);
    this.policy.onEnter?.(name, t, this.world);
  }

  private leave(name: number, t: number): void {
    this.policy.onLeave?.(name, t, this.world);
    this.world.tiers[t]!.delete(name);
  }

  private pop(t: number): number {
    let b = this.uncached[t]!.shift();
    if (b === undefined) {
      const name = this.policy.victim(t, -1, this.world);
      const c = this.contents[name];
      if (!c || c.block === null || this.blocks[c.block]!.ref > 0) throw new Error(`policy gave ${name}, not a free cached block`);
      b = c.block;
      this.leave(name, t);
      this.policy.onEvict?.(name, t, this.world);
      c.block = null;
      this.blocks[b]!.name = null;
      this.evicted++;
      const remembered = this.remembered[t]!;
      remembered.push(name);
      if (remembered.length > this.blocks.filter((_, x) => this.tierOf(x) === t).length) {
        this.names[t]!.delete(this.contents[remembered.shift()!]!.hash);
      }
    }
    this.blocks[b]!.ref = 1;
    return b;
  }

  private release(b: number): void {
    const x = this.blocks[b]!;
    if (--x.ref > 0) return;
    if (x.name === null) {
      this.uncached[this.tierOf(b)]!.unshift(b);
    } else if (this.keepsPinned) {
      this.world.pinned.delete(x.name);
    } else {
      this.enter(x.name, this.tierOf(b));
    }
  }

  private acquire(b: number, use: number): void {
    const x = this.blocks[b]!;
    const t = this.tierOf(b);
    const name = x.name!;
    this.contents[name]!.use = use;
    this.access(name, this.world.tiers[t]!.has(name) ? t : -1);
    if (x.ref++ > 0) return;
    if (this.keepsPinned) this.world.pinned.add(name);
    else this.leave(name, t);
  }

  private cache(b: number, hash: number, use: number): void {
    const t = this.tierOf(b);
    if (this.blocks[b]!.name !== null || this.caching(t, hash) !== undefined) return;
    let name = this.names[t]!.get(hash);
    if (name !== undefined) {
      this.remembered[t]!.splice(this.remembered[t]!.indexOf(name), 1);
    } else {
      name = this.contents.length;
      this.contents.push({ tier: t, hash, block: null, use });
      this.world.size.push(1);
      this.world.firstUse.push(NEVER);
      this.names[t]!.set(hash, name);
    }
    const c = this.contents[name]!;
    c.block = b;
    c.use = use;
    this.blocks[b]!.name = name;
    this.access(name, -1);
    if (this.keepsPinned) {
      this.enter(name, t);
      this.world.pinned.add(name);
    }
  }

  admit(r: number, tokens: number, hashes: number[], uses: number[] = []): number {
    const full = Math.floor(tokens / this.bs);
    const needed = Math.ceil(tokens / this.bs);
    let hit = 0;
    while (hit < full && this.caching(0, hashes[hit]!) !== undefined) hit++;
    hit = Math.max(0, Math.min(hit, Math.floor((tokens - 1) / this.bs)));
    const hitBlocks = hashes.slice(0, hit).map((h) => this.caching(0, h)!);
    const takenFree = hitBlocks.filter((b) => this.blocks[b]!.ref === 0).length;
    if (needed - hit + takenFree > this.freeCount(0)) return -1;
    const blocks: number[] = [];
    hitBlocks.forEach((b, k) => {
      this.acquire(b, uses[k] ?? NEVER);
      blocks.push(b);
    });
    for (let k = hit; k < needed; k++) {
      const b = this.pop(0);
      blocks.push(b);
      if (k < full) this.cache(b, hashes[k]!, uses[k] ?? NEVER);
    }
    this.tables.set(r, { tier: 0, blocks, tokens, cached: full });
    this.hitBlocks += hit;
    return hit;
  }

  grow(r: number, tokens: number, newHashes: number[]): number {
    const t = this.tables.get(r)!;
    const extra = Math.max(0, Math.ceil(tokens / this.bs) - t.blocks.length);
    if (extra > this.freeCount(0)) return -1;
    for (let k = 0; k < extra; k++) t.blocks.push(this.pop(0));
    const full = Math.floor(tokens / this.bs);
    for (let i = t.cached; i < full; i++) this.cache(t.blocks[i]!, newHashes[i - t.cached]!, NEVER);
    t.cached = Math.max(t.cached, full);
    t.tokens = tokens;
    return extra;
  }

  free(r: number): void {
    const t = this.tables.get(r);
    if (!t) return;
    for (let i = t.blocks.length - 1; i >= 0; i--) this.release(t.blocks[i]!);
    this.tables.delete(r);
  }

  swap(r: number, to: number): number {
    const t = this.tables.get(r)!;
    if (t.tier === to) return 0;
    const contentOf = (b: number): Content | undefined => {
      const name = this.blocks[b]!.name;
      return name === null ? undefined : this.contents[name];
    };
    let copies = 0;
    let takenFree = 0;
    for (const b of t.blocks) {
      const c = contentOf(b);
      const there = c && this.caching(to, c.hash);
      if (there === undefined) copies++;
      else if (this.blocks[there]!.ref === 0) takenFree++;
    }
    if (copies + takenFree > this.freeCount(to)) return -1;
    t.blocks = t.blocks.map((b) => {
      const c = contentOf(b);
      let there = c && this.caching(to, c.hash);
      if (there !== undefined) {
        this.acquire(there, c!.use);
      } else {
        there = this.pop(to);
        if (c) this.cache(there, c.hash, c.use);
      }
      this.release(b);
      return there;
    });
    t.tier = to;
    return copies;
  }
}
