import { pages, RECORD } from "../hierarchy/state";
import { ReplayLoop } from "../abi/hierarchy";

/**
 * The one interface every eviction policy implements. Hooks mirror kv-hierarchy-lab's
 * (`on_access`, `on_insert`, `on_evict`, `select_eviction_candidate`, `maybe_prefetch`), plus two
 * structural hooks (`onEnter`/`onLeave`) that let a policy keep its own O(1)/O(log n) victim index
 * in step with residency, whatever caused the move.
 */
export abstract class Policy {
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
  /** The page to evict from `tier` to make room, never `exclude`; -1 when there is none. */
  abstract victim(tier: i32, exclude: i32): i32;
  /**
   * Whether the policy walks the tiers' insertion order (headOf / nextIn / moveToTail). When it
   * does not, the engine leaves the order unmaintained: relinking a page touches two neighbours'
   * records, cold for a victim picked anywhere in the tier, and nothing would read them.
   */
  walksTierOrder(): bool {
    return true;
  }
  /**
   * Told once, before the replay, whether the engine will ask for prefetch candidates: a policy
   * may skip state that only `prefetch` reads.
   */
  setPrefetching(enabled: bool): void {}
  /**
   * The per-page array the policy reads on every access (its counts, its next-use steps), which
   * the replay loads a few accesses ahead as it does the page records, so that its cache miss
   * overlaps earlier accesses; null when the policy keeps none.
   */
  lookaheadArray(): StaticArray<i32> | null {
    return null;
  }
  /** log2 of the bytes per page of `lookaheadArray`. */
  lookaheadShift(): i32 {
    return 2;
  }
  /** Address of the per-page state to load ahead: `lookaheadArray`, or the page records. */
  lookaheadBase(): usize {
    const array = this.lookaheadArray();
    return changetype<usize>(array ? array : pages);
  }
  /** log2 of the bytes per page at `lookaheadBase`. */
  lookaheadBaseShift(): i32 {
    return this.lookaheadArray() ? this.lookaheadShift() : ctz<i32>(RECORD << 2);
  }
  /**
   * ReplayLoop.insertionQueue or ReplayLoop.recencyQueue for a policy that is nothing but its tiers' orders (kvsim
   * profile): its victim is always the head of the tier's order, it offers no prefetches (so no
   * page is ever pinned), and its hooks do nothing but, for ReplayLoop.recencyQueue, move a tier-0 hit to
   * its tier's tail. The engine then replays it without calling its hooks (queue-replay.ts).
   */
  queueOrder(): i32 {
    return ReplayLoop.general;
  }
  /** Writes prefetch candidates for the accessed page into `out`; returns how many. */
  prefetch(page: i32, out: StaticArray<i32>): i32 {
    return 0;
  }
}
