import { LazyHeaps } from "./lazy-heap";
import { LinkPair } from "./node-layout";
import { Stream } from "./rng";

/**
 * A randomized check of LazyHeaps against brute force, run inside WebAssembly for the tests: the
 * engine's policies only reach some of the heaps' states (lfu's runs, for one, never hold
 * overlapping keys), so this drives inserts into random runs or exact lanes, lazy rises, lowers,
 * lane moves, removals, demotions from lane to lane and put-backs directly, and compares every
 * victim with the least (score, insert order) page.
 */
let checked: i32 = 0;

/** Victims compared by the last `checkLazyHeaps`. */
export function lazyHeapChecks(): i32 {
  return checked;
}

/**
 * `ops` random operations over `pages` pages and `heaps` heaps with `runs` sorted runs or `lanes`
 * exact lanes each; returns how many victims differed from brute force.
 */
export function checkLazyHeaps(seed: i32, pages: i32, heaps: i32, runs: i32, ops: i32, lanes: i32): i32 {
  const capacities = new StaticArray<i32>(heaps);
  for (let h = 0; h < heaps; h++) unchecked(capacities[h] = pages);
  const lazy = new LazyHeaps<LinkPair>(capacities, pages, 0, runs, null, lanes);
  const rng = new Stream(<u64>seed, 7);
  const heapOf = new StaticArray<i32>(pages);
  const score = new StaticArray<f64>(pages);
  const order = new StaticArray<i32>(pages); // insert order: the tie rule
  for (let p = 0; p < pages; p++) unchecked(heapOf[p] = -1);
  let inserts = 0;
  let mismatches = 0;
  checked = 0;
  for (let op = 0; op < ops; op++) {
    const page = rng.below(pages);
    const h = unchecked(heapOf[page]);
    const kind = rng.below(7);
    // Keys drift upwards with time, so runs and lanes take some entries and turn others away.
    const key = <f64>(op / 16 + rng.below(6)); // coarse, for many ties
    if (h < 0) {
      const to = rng.below(heaps);
      unchecked(heapOf[page] = to);
      unchecked(score[page] = key);
      unchecked(order[page] = inserts++);
      if (lanes > 0) lazy.insertInLane(to, page, key, rng.below(lanes + 1) - 1, key - <f64>rng.below(3));
      else lazy.insert(to, page, key, rng.below(max(runs, 1)));
    } else if (kind == 0) {
      unchecked(heapOf[page] = -1);
      lazy.remove(h, page);
    } else if (kind == 1 || kind == 2) {
      const changed = unchecked(score[page]) + <f64>(kind == 1 ? 1 + rng.below(6) : -1 - rng.below(6));
      unchecked(score[page] = changed);
      // A lane page moves on any change; in the heap a rise needs no call.
      if (lazy.inLane(h, page)) lazy.move(h, page, changed, rng.below(lanes + 1) - 1, changed - <f64>rng.below(3));
      else if (kind == 2) lazy.lower(h, page, changed);
    } else if (kind == 6) {
      // A demotion: out of one heap and into another with the same score.
      const to = (h + 1) % heaps;
      lazy.remove(h, page);
      unchecked(heapOf[page] = to);
      unchecked(order[page] = inserts++);
      if (lazy.leftLane(page)) lazy.reenter(to, page);
      else if (lanes > 0) lazy.insertInLane(to, page, unchecked(score[page]), rng.below(lanes + 1) - 1, unchecked(score[page]));
      else lazy.insert(to, page, unchecked(score[page]), rng.below(max(runs, 1)));
    } else {
      const victim = leastOf(lazy, h, score, kind == 3);
      let best = -1;
      for (let p = 0; p < pages; p++) {
        if (unchecked(heapOf[p]) != h) continue;
        if (best < 0 || unchecked(score[p]) < unchecked(score[best]) ||
          (unchecked(score[p]) == unchecked(score[best]) && unchecked(order[p]) < unchecked(order[best]))) best = p;
      }
      checked++;
      if (victim != best) mismatches++;
    }
  }
  return mismatches;
}

/**
 * The victim search of scored.ts's heapMin: re-key stale tops until the top is current; with
 * `runnerUp`, also take the top out, find the next one and put the top back (the path of an
 * excluded page), and return the top.
 */
function leastOf(lazy: LazyHeaps<LinkPair>, h: i32, score: StaticArray<f64>, runnerUp: bool): i32 {
  while (true) {
    const page = lazy.top(h);
    if (page < 0) return -1;
    const s = unchecked(score[page]);
    const key = lazy.topKey(h);
    if (lazy.topInLane) {
      if (key != s) return -2; // a lane's key is always its page's score
    } else if (key != s) {
      lazy.rekeyTop(h, s);
      if (key < s) continue;
    }
    if (!runnerUp) return page;
    const tag = lazy.takeTop(h);
    leastOf(lazy, h, score, false);
    lazy.putBack(h, s, tag);
    return page;
  }
}
