/**
 * A naive reference of the block pool, written from the vLLM description in the spec with plain
 * arrays and Maps (free queues as arrays, victims by scanning). Test oracle only.
 */
export type Eviction = "lru" | "fifo" | "lfu" | "belady" | "s3fifo";

/** S3-FIFO over one tier's cached blocks, with arrays: small and main FIFOs, a ghost ring of hashes. */
class NaiveS3Fifo {
  small: number[] = [];
  main: number[] = [];
  freq = new Map<number, number>();
  /** Ghost ring entries in order; an entry is live iff it is the hash's latest entry and not taken back. */
  ghost: { hash: number; live: boolean }[] = [];

  constructor(readonly capacity: number) {}

  onCache(b: number, hash: number): void {
    const entry = this.ghost.findLast((g) => g.hash === hash && g.live);
    if (entry) entry.live = false;
    this.freq.set(b, 0);
    (entry ? this.main : this.small).push(b);
  }

  onHit(b: number): void {
    if (this.freq.has(b)) this.freq.set(b, Math.min(3, this.freq.get(b)! + 1));
  }

  onUncache(b: number): void {
    for (const q of [this.small, this.main]) {
      const i = q.indexOf(b);
      if (i >= 0) q.splice(i, 1);
    }
    this.freq.delete(b);
  }

  victim(inUse: (b: number) => boolean, hashOf: (b: number) => number): number {
    let busySmall = 0;
    let busyMain = 0;
    for (;;) {
      const smallOpen = busySmall < this.small.length;
      const mainOpen = busyMain < this.main.length;
      if (!smallOpen && !mainOpen) throw new Error("no evictable cached block");
      const fromSmall = smallOpen && (!mainOpen || this.small.length > Math.floor((this.small.length + this.main.length) / 10));
      const q = fromSmall ? this.small : this.main;
      const b = q.shift()!;
      if (inUse(b)) {
        q.push(b);
        if (fromSmall) busySmall++;
        else busyMain++;
        continue;
      }
      const f = this.freq.get(b)!;
      if (fromSmall) {
        busySmall = 0;
        if (f > 0) {
          this.freq.set(b, 0);
          this.main.push(b);
          continue;
        }
        if (this.ghost.length === this.capacity) this.ghost.shift();
        for (const g of this.ghost) if (g.hash === hashOf(b)) g.live = false;
        this.ghost.push({ hash: hashOf(b), live: true });
        q.unshift(b); // stays queued until the pool uncaches it
        return b;
      }
      busyMain = 0;
      if (f > 0) {
        this.freq.set(b, f - 1);
        this.main.push(b);
        continue;
      }
      this.main.unshift(b);
      return b;
    }
  }
}

export class NaiveBlockPool {
  blocks: Block[];
  queues: number[][] = [[], []];
  maps: Map<number, number>[] = [new Map(), new Map()];
  tables = new Map<number, { tier: number; blocks: number[]; tokens: number; cached: number }>();
  clock = 0;
  releases = 0;
  s3: NaiveS3Fifo[];
  hitBlocks = 0;
  evicted = 0;

  constructor(readonly gpu: number, readonly cpu: number, readonly bs: number, readonly perRequest: number, readonly eviction: Eviction) {
    this.blocks = Array.from({ length: gpu + cpu }, () => ({ ref: 0, hash: null, hits: 0, cachedAt: 0, nextUse: Infinity, released: 0 }));
    for (let b = 0; b < gpu + cpu; b++) this.queues[this.tierOf(b)]!.push(b);
    this.s3 = [new NaiveS3Fifo(gpu), new NaiveS3Fifo(cpu)];
  }

  tierOf(b: number): number {
    return b < this.gpu ? 0 : 1;
  }

  private score(b: number): number {
    const x = this.blocks[b]!;
    return this.eviction === "fifo" ? x.cachedAt : this.eviction === "lfu" ? x.hits : -x.nextUse;
  }

  private pop(t: number): number {
    const q = this.queues[t]!;
    let victim = q[0]!;
    if (this.eviction === "s3fifo" && this.blocks[victim]!.hash !== null) {
      victim = this.s3[t]!.victim((b) => this.blocks[b]!.ref > 0, (b) => this.blocks[b]!.hash!);
    } else if (this.eviction !== "lru" && this.blocks[victim]!.hash !== null) {
      // Min score among the (all cached) free blocks; ties to the one released earliest.
      victim = [...q].sort((a, b) => this.score(a) - this.score(b) || this.blocks[a]!.released - this.blocks[b]!.released)[0]!;
    }
    q.splice(q.indexOf(victim), 1);
    const x = this.blocks[victim]!;
    if (x.hash !== null) {
      if (this.maps[t]!.get(x.hash) === victim) this.maps[t]!.delete(x.hash);
      x.hash = null;
      this.s3[t]!.onUncache(victim);
      this.evicted++;
    }
    x.ref = 1;
    x.hits = 0;
    return victim;
  }

  private release(b: number): void {
    const x = this.blocks[b]!;
    if (--x.ref > 0) return;
    const q = this.queues[this.tierOf(b)]!;
    x.released = this.releases++;
    if (x.hash === null) q.unshift(b);
    else q.push(b);
  }

  private acquire(b: number): void {
    const x = this.blocks[b]!;
    if (x.ref === 0) {
      const q = this.queues[this.tierOf(b)]!;
      q.splice(q.indexOf(b), 1);
    }
    x.ref++;
    x.hits++;
    this.s3[this.tierOf(b)]!.onHit(b);
  }

  private cache(b: number, hash: number, nextUse: number): void {
    const x = this.blocks[b]!;
    x.nextUse = nextUse;
    const map = this.maps[this.tierOf(b)]!;
    if (x.hash !== null || map.has(hash)) return;
    map.set(hash, b);
    x.hash = hash;
    x.cachedAt = this.clock++;
    this.s3[this.tierOf(b)]!.onCache(b, hash);
  }

  admit(r: number, tokens: number, hashes: number[]): number {
    const full = Math.floor(tokens / this.bs);
    const needed = Math.ceil(tokens / this.bs);
    let hit = 0;
    while (hit < full && this.maps[0]!.has(hashes[hit]!)) hit++;
    hit = Math.max(0, Math.min(hit, Math.floor((tokens - 1) / this.bs)));
    const hitBlocks = hashes.slice(0, hit).map((h) => this.maps[0]!.get(h)!);
    const takenFree = hitBlocks.filter((b) => this.blocks[b]!.ref === 0).length;
    if (needed - hit + takenFree > this.queues[0]!.length) return -1;
    const blocks: number[] = [];
    for (const b of hitBlocks) {
      this.acquire(b);
      this.blocks[b]!.nextUse = Infinity;
      blocks.push(b);
    }
    for (let k = hit; k < needed; k++) {
      const b = this.pop(0);
      blocks.push(b);
      if (k < full) this.cache(b, hashes[k]!, Infinity);
    }
    this.tables.set(r, { tier: 0, blocks, tokens, cached: full });
    this.hitBlocks += hit;
    return hit;
  }

  grow(r: number, tokens: number, newHashes: number[]): number {
    const t = this.tables.get(r)!;
    const extra = Math.max(0, Math.ceil(tokens / this.bs) - t.blocks.length);
    if (extra > this.queues[0]!.length) return -1;
    for (let k = 0; k < extra; k++) t.blocks.push(this.pop(0));
    const full = Math.floor(tokens / this.bs);
    for (let i = t.cached; i < full; i++) this.cache(t.blocks[i]!, newHashes[i - t.cached]!, Infinity);
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
    const map = this.maps[to]!;
    let copies = 0;
    let takenFree = 0;
    for (const b of t.blocks) {
      const h = this.blocks[b]!.hash;
      const there = h === null ? undefined : map.get(h);
      if (there === undefined) copies++;
      else if (this.blocks[there]!.ref === 0) takenFree++;
    }
    if (copies + takenFree > this.queues[to]!.length) return -1;
    t.blocks = t.blocks.map((b) => {
      const h = this.blocks[b]!.hash;
      let there = h === null ? undefined : map.get(h);
      if (there !== undefined) {
        this.acquire(there);
      } else {
        there = this.pop(to);
        if (h !== null) {
          map.set(h, there);
          this.blocks[there]!.hash = h;
          this.blocks[there]!.cachedAt = this.clock++;
          this.s3[to]!.onCache(there, h);
        }
      }
      this.blocks[there]!.nextUse = this.blocks[b]!.nextUse;
      this.release(b);
      return there;
    });
    t.tier = to;
    return copies;
  }
}
