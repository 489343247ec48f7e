import { ReplayLoop } from "../abi/hierarchy";

/**
 * What a policy tells the engine (`Policy.hints`, asked once per run), so that the replay does no
 * work nobody reads. Hints change how fast a run is, never what it does: a policy that gives none
 * runs exactly the same.
 */
export class PolicyHints {
  /**
   * Whether the policy walks the tiers' orders (headOf / nextIn / moveToTail). When it does not,
   * the engine leaves the orders unkept: relinking a page touches two neighbours' records, cold
   * for a victim picked anywhere in the tier, and nothing would read them.
   */
  walksTierOrder: bool = true;
  /**
   * ReplayLoop.insertionQueue or .recencyQueue for a policy that is nothing but its tiers' orders
   * (kvsim profile): its victim is always the head of the tier's order, it offers no prefetches
   * (so no page is ever pinned), and its hooks do nothing but, for recencyQueue, move a tier-0 hit
   * to its tier's tail. The engine then replays it without calling its hooks (queue-replay.ts).
   */
  replayLoop: i32 = ReplayLoop.general;
  /**
   * The per-page array the policy reads on every access (its counts, its next-use steps), which
   * the replay loads a few accesses ahead as it does the page records, so that its cache miss
   * overlaps earlier accesses; null when the policy keeps none.
   */
  lookahead: StaticArray<i32> | null = null;
  /** log2 of the bytes per page of `lookahead`. */
  lookaheadShift: i32 = 2;
  /** The policy may evict while the arriving page fits (`Policy.wantsRoom`): the engine then asks it. */
  evictsBeyondRoom: bool = false;
}

/**
 * The one interface every eviction policy implements. Hooks mirror kv-hierarchy-lab's
 * (`on_access`, `on_insert`, `on_evict`, `select_eviction_candidate`, `maybe_prefetch`), plus two
 * structural hooks (`onEnter`/`onLeave`) that let a policy keep its own O(1)/O(log n) victim index
 * in step with residency, whatever caused the move. A policy is registered by its file's entry
 * function (entry.ts, registry.ts).
 */
export abstract class Policy {
  /**
   * The policy's speed hints, asked once when the run starts (a method, not a field: the policy
   * object's layout stays its own, and the bench moved by up to 15% with it).
   */
  hints(): PolicyHints {
    return new PolicyHints();
  }
  /** Once, before the replay: whether the engine will ask for prefetch candidates. */
  onStart(prefetching: bool): void {}
  /** Every access, before any state changes; hitTier = first tier holding the page, or -1. */
  onAccess(page: i32, hitTier: i32): void {}
  /** A page placed by a cold insert or into tier 0 (demand or prefetch); never for demotions. */
  onInsert(page: i32, tier: i32): void {}
  /** A page chosen as victim has just left `tier` (demoted or dropped). */
  onEvict(page: i32, tier: i32): void {}
  /** The page has become resident in `tier` (already linked into the tier's order). */
  onEnter(page: i32, tier: i32): void {}
  /** The page is about to leave `tier` (still linked into the tier's order). */
  onLeave(page: i32, tier: i32): void {}
  /**
   * The block pool only, for a policy whose entry says `remembersEvictedPages`: the page's id is about to name
   * other content (the pool reuses the ids of content evicted long ago), so whatever the policy
   * remembers of it beyond its residency (a ghost entry) must go.
   */
  onForget(page: i32): void {}
  /**
   * The page to evict from `tier` to make room, never `exclude`; -1 when there is none. A policy
   * that keeps pinned pages (below) also passes over them: `evictable(page, exclude)`.
   */
  abstract victim(tier: i32, exclude: i32): i32;
  /**
   * How the block pool treats the blocks requests are using (pinned pages). False: a pinned page
   * leaves the policy's tiers and enters again, at the tail of the order, when it is released —
   * right for an order by last use or by score (lru is then vLLM's free queue), and O(1). True: a
   * pinned page stays, and the victim search passes over it — needed when the order is the one
   * pages entered in (fifo, sieve, clock, s3fifo).
   */
  keepsPinnedPages(): bool {
    return false;
  }
  /**
   * Whether `tier` should evict once more before `page` enters, though it fits: a policy made of
   * queues with capacities of their own (2Q's Am) makes room in the queue the page enters. Also
   * asked after a hit in tier 0 (`page` resident there), where LIRS's Q may give up a page. Asked
   * only when the policy's hints say `evictsBeyondRoom`.
   */
  wantsRoom(page: i32, tier: i32): bool {
    return false;
  }
  /** Writes prefetch candidates for the accessed page into `out`; returns how many. */
  prefetch(page: i32, out: StaticArray<i32>): i32 {
    return 0;
  }
}
