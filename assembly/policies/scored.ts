import { Policy } from "./policy";
import { profile, PROFILE_KHL, numPages, numTiers, pages, PageRecord, tierPageLimits, commonPageSize, RECORD } from "../hierarchy/state";
import { headOf, nextIn, residentMaskOf, evictable } from "../hierarchy/residency";
import { LazyHeaps } from "../util/lazy-heap";
import { DenseSets } from "../util/dense-sets";
import { DrawsAhead } from "../util/draws-ahead";
import { LANE_ENTRY_SHIFT, POLICY_WORDS } from "../util/score-lanes";
import { AccessCounts } from "./access-counts";
import { PolicyHints } from "./policy";
import { policyLookahead, policyLookaheadShift } from "../hierarchy/lookahead";
import { linkSlot } from "../util/node-layout";

/** How a scored policy finds its minimum-score victim. */
export enum Find {
  /** Full scan in tier order, first strict minimum (kv-hierarchy-lab): exact, O(n). */
  scan,
  /** The tier's own order is the eviction order: take its head. */
  list,
  /** Lazy min-heap; the score may change only on the page's own events. */
  heap,
  /** Min over `samples` uniform draws; for scores that drift with time (approximate). */
  sample,
}

/**
 * A scored policy's victim index, as one options value (`super({ index: Find.heap, runs: 8 })`):
 * the exact full scan unless the policy opts into a faster index, which gives the same victims
 * (heap, list) or, for scores that drift with time, an approximation (sample).
 */
export class VictimIndex {
  /** The kvsim profile's index. */
  index: Find = Find.scan;
  /** The khl profile's, when it differs (-1: the same); lanes are kvsim only. */
  khl: i32 = -1;
  /** Find.sample: draws per eviction; 0 asks for the exact answer (a scan). */
  samples: i32 = 0;
  /**
   * Find.heap: sorted runs beside each heap (lazy-heap.ts): 1 when scores mostly grow with time (a
   * last-access step, a count), more when entries arrive as several growing streams (see
   * `entryRun`), 0 when keys never grow.
   */
  runs: i32 = 1;
  /** Find.heap, kvsim profile: exact lanes per heap (score-lanes.ts), in place of runs (see `laneOf`). */
  lanes: i32 = 0;
}

/**
 * Base for policies defined by a score (lower ⇒ evicted first); ties go to the page that entered
 * the tier first. Each subclass picks, per profile, the index that finds that victim: a heap
 * gives exactly the answer of kv-hierarchy-lab's first-minimum scan whenever the score changes
 * only on the page's own events, so the khl profile scans only for scores that drift with time.
 *
 * Heap keys are lazy upwards: a subclass calls `rescore` only when a score may have dropped (the
 * heap then holds an entry at or below the new score), and a rise (a hit raising a count or a stamp) leaves the
 * old key in the heap. Every page then has an entry at or below its score, so when the top entry's
 * key equals its page's score, that page is the minimum. `victim` re-keys stale entries as they
 * reach the top, so a page hit k times between evictions sinks once instead of k times (exactly
 * the same victims).
 */
export abstract class ScoredPolicy extends Policy {
  find: i32;
  samples: i32;
  sortedRuns: i32;
  lanes: i32;
  heaps: LazyHeaps<PageRecord> | null = null;
  sets: DenseSets<PageRecord> | null = null;
  drawn: StaticArray<i32> = new StaticArray<i32>(0); // one sampled eviction's pages and their scores (sampledMin)
  drawnScores: StaticArray<f64> = new StaticArray<f64>(0);
  draws: DrawsAhead | null = null;
  /**
   * Sampled policies only: each eviction touches the next one's draws (see `sampledMin`). A touch
   * is a load that holds up retirement like any other, so it pays only where the misses it starts
   * early cost more: measured per policy (regret_aware +10-16%, cost_aware -9%).
   */
  touchesDrawsAhead: bool = false;

  constructor(options: VictimIndex = {}) {
    super();
    const samples = options.samples;
    const sortedRuns = options.runs;
    this.find = profile == PROFILE_KHL && options.khl >= 0 ? options.khl : options.index;
    if (this.find == Find.sample && samples <= 0) this.find = Find.scan;
    this.samples = samples;
    this.sortedRuns = sortedRuns;
    this.lanes = profile == PROFILE_KHL ? 0 : options.lanes;
    if (this.find == Find.sample) {
      this.drawn = new StaticArray<i32>(samples);
      this.drawnScores = new StaticArray<f64>(samples);
      this.draws = new DrawsAhead(numTiers, samples);
    }
    // Heaps and sampling never walk the tier order, so in the kvsim profile (one tier per page) the
    // page records' link slots hold each page's live heap arrival or set position.
    if (this.find == Find.heap) {
      this.heaps = profile == PROFILE_KHL
        ? new LazyHeaps<PageRecord>(tierPageLimits(), numPages, numPages, sortedRuns)
        : new LazyHeaps<PageRecord>(tierPageLimits(), numPages, 0, this.lanes > 0 ? 0 : sortedRuns, pages, this.lanes);
      if (profile != PROFILE_KHL) changetype<LazyHeaps<PageRecord>>(this.heaps).sharedFirstWord = commonPageSize;
    }
    if (this.find == Find.sample) this.sets = new DenseSets<PageRecord>(tierPageLimits(), numPages, pages);
  }

  abstract score(page: i32): f64;

  /** Heaps and samples never walk the tier orders; a list or a scan is one. */
  hints(): PolicyHints {
    return { walksTierOrder: this.find == Find.list || this.find == Find.scan };
  }

  /**
   * Access counts for a policy with lanes, made after `super`: in the kvsim profile they are kept
   * in the lanes' per-page entries, so a page's score and its lane state share a cache line.
   */
  protected countsBesideLanes(): AccessCounts {
    const heaps = this.heaps;
    const lanes = heaps ? heaps.lanes : null;
    return lanes ? AccessCounts.within(numPages, lanes.entries, LANE_ENTRY_SHIFT - 2, POLICY_WORDS) : new AccessCounts(numPages);
  }

  /**
   * The key a page enters a heap with: any value at or below its score (heap keys are lazy
   * upwards, see above). The score itself by default.
   */
  entryKey(page: i32): f64 {
    return this.score(page);
  }

  /**
   * Which of a heap's sorted runs (below the constructor's `sortedRuns`) the page's entry tries
   * first: entries sent to one run should mostly arrive in key order.
   */
  entryRun(page: i32): i32 {
    return 0;
  }

  /**
   * Which exact lane (below the constructor's `lanes`) the page joins, or -1 for the heap. A lane
   * is worth it for pages that mostly join it in score order (a page that does not goes to the
   * heap); the policy must then call `rescore` on every change of the page's score.
   */
  laneOf(page: i32): i32 {
    return -1;
  }

  /**
   * Call whenever the page's score may have dropped (a rise needs no call: see above), and with
   * lanes whenever it changed at all: a page in a lane is moved to its new place.
   */
  rescore(page: i32): void {
    if (this.find != Find.heap) return;
    let mask = residentMaskOf(page);
    if (mask == 0) return;
    const s = this.score(page);
    const heaps = changetype<LazyHeaps<PageRecord>>(this.heaps);
    // Several tiers only in the khl profile (a page resident twice).
    for (; mask != 0; mask &= mask - 1) {
      const tier = ctz<i32>(mask);
      if (heaps.inLane(tier, page)) heaps.move(tier, page, s, this.laneOf(page), this.entryKey(page));
      else heaps.lower(tier, page, s);
    }
  }

  onEnter(page: i32, tier: i32): void {
    if (this.find == Find.heap) {
      const heaps = changetype<LazyHeaps<PageRecord>>(this.heaps);
      // A page enters a tier below 0 only as a victim demoted from the tier above, straight after
      // leaving it; if it left a lane there, its score (and so its lane) is unchanged (policies
      // with lanes change no score on eviction), so it takes the key it had: no scoring, whose
      // read of the page's state was a cache miss on every demotion.
      if (tier > 0 && heaps.leftLane(page)) heaps.reenter(tier, page);
      else if (this.lanes > 0) heaps.insertInLane(tier, page, this.score(page), this.laneOf(page), this.entryKey(page));
      else heaps.insert(tier, page, this.entryKey(page), this.sortedRuns > 1 ? this.entryRun(page) : 0);
    } else if (this.find == Find.sample) changetype<DenseSets<PageRecord>>(this.sets).add(tier, page);
  }

  onLeave(page: i32, tier: i32): void {
    if (this.find == Find.heap) changetype<LazyHeaps<PageRecord>>(this.heaps).remove(tier, page);
    else if (this.find == Find.sample) changetype<DenseSets<PageRecord>>(this.sets).remove(tier, page);
  }
}

/**
 * The victim of a scored policy of class P: the page of least score in the tier other than
 * `exclude`. Each subclass's `victim` is `findVictim<Itself>(this, tier, exclude)`: called on the
 * concrete class, `score` is a direct call the optimizer inlines, instead of a virtual dispatch per
 * scored page.
 */
export function findVictim<P extends ScoredPolicy>(policy: P, tier: i32, exclude: i32): i32 {
  const find = policy.find;
  if (find == Find.list) {
    let page = headOf(tier);
    while (page >= 0 && !evictable(page, exclude)) page = nextIn(tier, page);
    return page;
  }
  if (find == Find.heap) return heapMin<P>(policy, changetype<LazyHeaps<PageRecord>>(policy.heaps), tier, exclude);
  if (find == Find.sample) return sampledMin<P>(policy, tier, exclude);
  return scanMin<P>(policy, tier, exclude);
}

/** The page of least (score, arrival) in the tier other than `exclude`, re-keying stale tops. */
function heapMin<P extends ScoredPolicy>(policy: P, heaps: LazyHeaps<PageRecord>, tier: i32, exclude: i32): i32 {
  while (true) {
    const page = heaps.top(tier);
    if (page < 0) return -1;
    let s: f64;
    if (heaps.topInLane) {
      s = heaps.topKey(tier); // a lane's keys are exact scores
    } else {
      s = policy.score(page);
      const key = heaps.topKey(tier);
      if (key != s) {
        heaps.rekeyTop(tier, s);
        // A raised key may sink below other entries; a lowered one stays on top (every other
        // entry's key, and so its page's score, is at least the old key).
        if (key < s) continue;
      }
    }
    if (page != exclude) return page;
    const tag = heaps.takeTop(tier);
    const runnerUp = heapMin<P>(policy, heaps, tier, -1);
    heaps.putBack(tier, s, tag);
    return runnerUp;
  }
}

function scanMin<P extends ScoredPolicy>(policy: P, tier: i32, exclude: i32): i32 {
  let best = -1;
  let bestScore = Infinity;
  for (let page = headOf(tier); page >= 0; page = nextIn(tier, page)) {
    if (page == exclude) continue;
    const s = policy.score(page);
    if (best < 0 || s < bestScore) {
      best = page;
      bestScore = s;
    }
  }
  return best;
}

/**
 * The least of `samples` uniform draws from the tier (every member when it has no more). The draws
 * come from `DrawsAhead`, which knows the next eviction's draws: with `touchesDrawsAhead`, this
 * eviction touches the member slots of the one after next, and the pages in the slots it touched
 * at the tier's previous eviction, so those cache misses overlap the accesses in between (a slot
 * may have changed by then: the touch was only early, the read is of the slot as it is then).
 */
function sampledMin<P extends ScoredPolicy>(policy: P, tier: i32, exclude: i32): i32 {
  const sets = changetype<DenseSets<PageRecord>>(policy.sets);
  const ahead = changetype<DrawsAhead>(policy.draws);
  const n = unchecked(sets.count[tier]);
  const exhaustive = n <= policy.samples;
  const draws = exhaustive ? n : policy.samples;
  const drawn = policy.drawn;
  const scores = policy.drawnScores;
  // Three passes with no branch on loaded data until the last: every draw's loads are issued
  // before any of them is compared, so their cache misses overlap.
  const first = ahead.first(tier);
  for (let i = 0; i < draws; i++) unchecked(drawn[i] = sets.at(tier, exhaustive ? i : ahead.position(first + i, n)));
  for (let i = 0; i < draws; i++) unchecked(scores[i] = policy.score(unchecked(drawn[i])));
  let best = -1;
  let bestScore = Infinity;
  for (let i = 0; i < draws; i++) {
    const page = unchecked(drawn[i]);
    if (page == exclude) continue;
    const s = unchecked(scores[i]);
    if (best < 0 || s < bestScore) {
      best = page;
      bestScore = s;
    }
  }
  if (best < 0 && n > 1) {
    // Every draw hit the excluded page; fall back to any other member.
    const first = sets.at(tier, 0);
    best = first != exclude ? first : sets.at(tier, 1);
  }
  ahead.advance(tier);
  if (policy.touchesDrawsAhead && !exhaustive) touchAhead<P>(policy, sets, ahead, tier, n);
  return best;
}

/**
 * Touches the pages of the tier's next eviction and the member slots of the one after. A page's
 * record is touched by storing the set position it already holds (a store that misses waits in the
 * store buffer, where a load holds up retirement); the policy's own per-page state can only be
 * loaded.
 */
function touchAhead<P extends ScoredPolicy>(policy: P, sets: DenseSets<PageRecord>, ahead: DrawsAhead, tier: i32, n: i32): void {
  const next = ahead.first(tier);
  // The policy's per-page state to load ahead: its lookahead array, or else the page records.
  const array = policyLookahead;
  const records = changetype<usize>(array ? array : pages);
  const shift = array ? policyLookaheadShift : ctz<i32>(RECORD << 2);
  for (let i = next; i < next + policy.samples; i++) {
    const position = ahead.position(i, n);
    const page = sets.at(tier, position);
    unchecked(pages[linkSlot<PageRecord>(page)] = position);
    load<i32>(records + (<usize>page << shift));
  }
  const later = ahead.second(tier);
  for (let i = later; i < later + policy.samples; i++) sets.at(tier, ahead.position(i, n));
}
