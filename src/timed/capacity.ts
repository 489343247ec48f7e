import { KvsimInputError } from "../errors.js";
import type { ServingRequest } from "./requests.js";
import type { Distribution, ServingSummary } from "./results.js";

/** What a capacity search holds a run to: a percentile of TTFT and of TPOT, each at most an SLO (s). */
export interface CapacitySlo {
  ttftS?: number;
  tpotS?: number;
  /** Which percentile of each must meet it. Default 99. */
  percentile?: 50 | 90 | 99;
}

export interface CapacityOptions {
  slo: CapacitySlo;
  /** The first QPS tried. Default 1. */
  startQps?: number;
  /** Stop once the highest passing and lowest failing QPS are this close, relatively. Default 0.01. */
  precision?: number;
  /** Runs at most. Default 30. */
  maxProbes?: number;
}

/** One run of the search: the QPS, the percentiles it measured, and whether they meet the SLO. */
export interface CapacityStep {
  qps: number;
  ttftS: number;
  tpotS: number;
  meets: boolean;
}

export interface CapacityResult {
  /** The highest QPS found to meet the SLO; null when even the first (lowest) one tried fails. */
  capacityQps: number | null;
  /** The lowest QPS found to miss it; null when none did within `maxProbes`. */
  failingQps: number | null;
  steps: CapacityStep[];
}

const pick = (d: Distribution, p: 50 | 90 | 99): number => (p === 50 ? d.p50 : p === 90 ? d.p90 : d.p99);

/**
 * The highest arrival rate at which a run's TTFT and TPOT percentiles meet the SLO — what Vidur's
 * capacity search answers (vidur/config_optimizer/config_explorer/capacity_search.py: a binary
 * search on QPS against a scheduling-delay quantile). kvsim's search, deterministic and written
 * down: double the QPS from `startQps` while runs pass (halve it while they fail), then bisect
 * between the highest pass and the lowest failure until they are within `precision` of each
 * other. It assumes that a run which meets the SLO at some QPS meets it at every lower one; each
 * step is returned, so a user can see where that does not hold.
 */
export function searchCapacity(runAt: (qps: number) => ServingSummary, options: CapacityOptions): CapacityResult {
  const { ttftS, tpotS } = options.slo;
  const percentile = options.slo.percentile ?? 99;
  if (ttftS === undefined && tpotS === undefined) throw new KvsimInputError("a capacity search needs a TTFT or a TPOT SLO");
  const precision = options.precision ?? 0.01;
  const maxProbes = options.maxProbes ?? 30;
  const steps: CapacityStep[] = [];
  const probe = (qps: number): boolean => {
    const s = runAt(qps);
    const ttft = pick(s.ttft, percentile);
    // A run whose outputs are all one token has no TPOT: it meets any TPOT SLO.
    const tpot = pick(s.tpot, percentile);
    const meets = (ttftS === undefined || ttft <= ttftS) && (tpotS === undefined || Number.isNaN(tpot) || tpot <= tpotS);
    steps.push({ qps, ttftS: ttft, tpotS: tpot, meets });
    return meets;
  };
  let pass: number | null = null;
  let fail: number | null = null;
  let qps = options.startQps ?? 1;
  // Bracket: double up from a pass, halve down from a failure.
  while (steps.length < maxProbes && (pass === null || fail === null)) {
    if (probe(qps)) {
      pass = qps;
      qps *= 2;
    } else {
      fail = qps;
      qps /= 2;
    }
    if (pass === null && qps < 1e-6) break;
  }
  while (steps.length < maxProbes && pass !== null && fail !== null && fail - pass > precision * pass) {
    const mid = (pass + fail) / 2;
    if (probe(mid)) pass = mid;
    else fail = mid;
  }
  return { capacityQps: pass, failingQps: fail, steps };
}

/**
 * A trace's requests at another mean rate: arrivals scaled about the first so that n requests span
 * n / qps seconds, keeping the trace's burstiness and order.
 */
export function atQps(requests: readonly ServingRequest[], qps: number): ServingRequest[] {
  const first = requests.reduce((m, r) => Math.min(m, r.arrival), Infinity);
  const last = requests.reduce((m, r) => Math.max(m, r.arrival), -Infinity);
  if (!(last > first)) throw new KvsimInputError("the trace's requests all arrive at once: it has no rate to scale");
  const scale = (last - first) / (requests.length / qps);
  return requests.map((r) => ({ ...r, arrival: (r.arrival - first) / scale }));
}
