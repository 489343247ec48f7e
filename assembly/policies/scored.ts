import { Policy } from "./policy";
import { profile, PROFILE_KHL, numPages, pages, RECORD, LINKS, tierPageLimits } from "../hierarchy/state";
import { headOf, nextIn, residentMaskOf } from "../hierarchy/residency";
import { IndexedHeaps } from "../util/indexed-heap";
import { DenseSets } from "../util/dense-sets";
import { below } from "../util/rng";

/** How a scored policy finds its minimum-score victim. */
export const FIND_SCAN: i32 = 0;   // full scan in tier order, first strict minimum (kv-hierarchy-lab)
export const FIND_LIST: i32 = 1;   // the tier's own order is the eviction order: take its head
export const FIND_HEAP: i32 = 2;   // indexed min-heap; the score may change only on the page's own events
export const FIND_SAMPLE: i32 = 3; // min over k uniform samples; for scores that drift with time

/**
 * Base for policies defined by a score (lower ⇒ evicted first); ties go to the page that entered
 * the tier first. Each subclass picks, per profile, the index that finds that victim: a heap
 * gives exactly the answer of kv-hierarchy-lab's first-minimum scan whenever the score changes
 * only on the page's own events, so the khl profile scans only for scores that drift with time.
 */
export abstract class ScoredPolicy extends Policy {
  find: i32;
  samples: i32;
  heaps: IndexedHeaps | null = null;
  sets: DenseSets | null = null;

  constructor(kvsimFind: i32, khlFind: i32, samples: i32 = 0) {
    super();
    this.find = profile == PROFILE_KHL ? khlFind : kvsimFind;
    // samples == 0 asks for the exact answer: a full scan.
    if (this.find == FIND_SAMPLE && samples <= 0) this.find = FIND_SCAN;
    this.samples = samples;
    // Heaps and sampling never walk the tier order, so in the kvsim profile (one tier per page) the
    // page records' link slots hold each page's heap or set position.
    if (this.find == FIND_HEAP) {
      this.heaps = profile == PROFILE_KHL
        ? new IndexedHeaps(tierPageLimits(), numPages, numPages)
        : new IndexedHeaps(tierPageLimits(), numPages, 0, pages, RECORD, LINKS);
    }
    if (this.find == FIND_SAMPLE) this.sets = new DenseSets(tierPageLimits(), numPages, pages, RECORD, LINKS);
  }

  abstract score(page: i32): f64;

  walksTierOrder(): bool {
    return this.find == FIND_LIST || this.find == FIND_SCAN;
  }

  /** Call whenever the page's score may have changed. */
  rescore(page: i32): void {
    if (this.find != FIND_HEAP) return;
    let mask = residentMaskOf(page);
    if (mask == 0) return;
    const s = this.score(page);
    const heaps = changetype<IndexedHeaps>(this.heaps);
    // Several tiers only in the khl profile (a page resident twice).
    for (; mask != 0; mask &= mask - 1) heaps.update(ctz<i32>(mask), page, s);
  }

  onEnter(page: i32, tier: i32): void {
    if (this.find == FIND_HEAP) changetype<IndexedHeaps>(this.heaps).insert(tier, page, this.score(page));
    else if (this.find == FIND_SAMPLE) changetype<DenseSets>(this.sets).add(tier, page);
  }

  onLeave(page: i32, tier: i32): void {
    if (this.find == FIND_HEAP) changetype<IndexedHeaps>(this.heaps).remove(tier, page);
    else if (this.find == FIND_SAMPLE) changetype<DenseSets>(this.sets).remove(tier, page);
  }

  victim(tier: i32, exclude: i32): i32 {
    if (this.find == FIND_LIST) {
      let page = headOf(tier);
      if (page == exclude) page = nextIn(tier, page);
      return page;
    }
    if (this.find == FIND_HEAP) return changetype<IndexedHeaps>(this.heaps).min(tier, exclude);
    if (this.find == FIND_SAMPLE) return this.sampledMin(tier, exclude);
    return this.scanMin(tier, exclude);
  }

  private scanMin(tier: i32, exclude: i32): i32 {
    let best = -1;
    let bestScore = Infinity;
    for (let page = headOf(tier); page >= 0; page = nextIn(tier, page)) {
      if (page == exclude) continue;
      const s = this.score(page);
      if (best < 0 || s < bestScore) {
        best = page;
        bestScore = s;
      }
    }
    return best;
  }

  private sampledMin(tier: i32, exclude: i32): i32 {
    const sets = changetype<DenseSets>(this.sets);
    const n = unchecked(sets.count[tier]);
    let best = -1;
    let bestScore = Infinity;
    const exhaustive = n <= this.samples;
    const draws = exhaustive ? n : this.samples;
    for (let i = 0; i < draws; i++) {
      const page = sets.at(tier, exhaustive ? i : below(n));
      if (page == exclude) continue;
      const s = this.score(page);
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
    return best;
  }
}
