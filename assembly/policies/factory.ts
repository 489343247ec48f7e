import { Policy } from "./policy";
import { LruPolicy } from "./lru";
import { WindowedRecencyPolicy } from "./windowed-recency";
import { HeavyHitterPolicy } from "./heavy-hitter";
import { CostAwarePolicy } from "./cost-aware";
import { PredictivePolicy } from "./predictive";
import { RegretAwarePolicy } from "./regret-aware";
import { FifoPolicy } from "./fifo";
import { RandomPolicy } from "./random";
import { SievePolicy } from "./sieve";
import { S3FifoPolicy } from "./s3fifo";
import { BeladyPolicy } from "./belady";
import { LfuPolicy } from "./lfu";

/**
 * Policy ids, in the order of `src/policies/registry.ts` (the single place that names them, lists
 * their parameters in this positional order, and gives their defaults).
 */
export function createPolicy(id: i32, params: StaticArray<f64>): Policy {
  switch (id) {
    case 0: return new LruPolicy();
    case 1: return new WindowedRecencyPolicy(params);
    case 2: return new HeavyHitterPolicy();
    case 3: return new CostAwarePolicy(params);
    case 4: return new PredictivePolicy(params);
    case 5: return new RegretAwarePolicy(params);
    case 6: return new FifoPolicy();
    case 7: return new RandomPolicy();
    case 8: return new SievePolicy();
    case 9: return new S3FifoPolicy(params);
    case 10: return new BeladyPolicy();
    case 11: return new LfuPolicy();
    default: return new LruPolicy();
  }
}

/** Policies that read the future (next-use steps) and need them computed before the replay. */
export function needsNextUse(id: i32): bool {
  return id == 10;
}
