import { PolicyEntry } from "./entry";
import { lru } from "./lru";
import { windowedRecency } from "./windowed-recency";
import { heavyHitter } from "./heavy-hitter";
import { costAware } from "./cost-aware";
import { predictive } from "./predictive";
import { regretAware } from "./regret-aware";
import { fifo } from "./fifo";
import { random } from "./random";
import { sieve } from "./sieve";
import { s3fifo } from "./s3fifo";
import { belady } from "./belady";
import { lfu } from "./lfu";
import { clock } from "./clock";
import { arc } from "./arc";
import { twoq } from "./twoq";
import { lirs } from "./lirs";
import { tinylfu } from "./tinylfu";

/**
 * Every page policy, by its entry function (entry.ts): a policy's id is its place in this list,
 * so adding a policy is its file plus one line here (docs/policies.md, "Adding a policy"). The
 * host learns names, parameters and defaults from the engine (`policyText`, …).
 */
const ENTRIES: StaticArray<() => PolicyEntry> = [
  lru,
  windowedRecency,
  heavyHitter,
  costAware,
  predictive,
  regretAware,
  fifo,
  random,
  sieve,
  s3fifo,
  belady,
  lfu,
  clock,
  arc,
  twoq,
  lirs,
  tinylfu,
];

export function policyCount(): i32 {
  return ENTRIES.length;
}

/**
 * The entry of policy `id`, made afresh (the arena of a run owns it), or null for an unknown id.
 * A policy whose parameter struct does not hold its declared parameters is a bug in its file:
 * the engine aborts, naming it.
 */
export function policyEntry(id: i32): PolicyEntry | null {
  if (id < 0 || id >= ENTRIES.length) return null;
  const entry = unchecked(ENTRIES[id])();
  if (entry.paramWords != entry.params.length) {
    abort(`policy ${entry.name} declares ${entry.params.length} parameters, its parameter struct holds ${entry.paramWords}`);
  }
  return entry;
}
