import { DEFAULT_ALLOCATOR_OPTIONS, type Allocation, type AllocatorOptions } from "./budgets/allocator.js";
import { budgetAllocator } from "./budgets/registry.js";
import type { LearnedWeights } from "./learned/weights.js";
import { checkTokenPolicies, tokenPolicy } from "./policies/registry.js";
import { rankByScore } from "./ranking.js";
import { attentionRow, headOutput, headView, type HeadView, type TokenTrace } from "./trace.js";

export interface OnlineOptions {
  policies: readonly string[];
  /** Cache budget as a fraction of the context (the absolute budget is round(fraction × T) a head). */
  budget: number;
  /**
   * How the total, layers × kvHeads × round(fraction × T), is spread over the heads (default
   * `uniform`); the allocator reads each policy's prefill scores, as it does offline.
   */
  allocator?: string;
  allocatorOptions?: Partial<AllocatorOptions>;
  weights?: LearnedWeights;
  /** Called after each (layer, KV head) with the heads done and the trace's total, for progress. */
  onHead?: (done: number, total: number) => void;
}

export interface OnlineHeadResult {
  layer: number;
  head: number;
  profile?: string;
  policy: string;
  allocator: string;
  /** This head's budget, from the allocator. */
  budget: number;
  /** The policy this head evicted by, when the allocator chose another (DuoAttention's streaming heads). */
  rankedBy?: string;
  /** Mean over decode steps of the full-cache attention still reachable in the cache. */
  retained: number;
  /** Mean relative error of the head output with the renormalized softmax over the cache. */
  outputError: number;
  /** Share of this head's retrieval events whose needle was still cached. */
  needleHits?: number;
  evictions: number;
}

/**
 * How a policy keeps its cache while decoding (docs/tokens.md, "Online decode mode"):
 * - static: context tokens keep their offline scores; a generated token gets the policy's score
 *   over the whole sequence (its own features; keydiff's anchor then includes later keys, a small
 *   look-ahead);
 * - h2o: prefill accumulation plus each step's attention over the kept cache;
 * - observed_attention: the same sums divided by how many queries have seen each token (kvpress's
 *   mean, carried on while decoding; context tokens start from their prefill mean over T − i queries);
 * - tova: the current query's attention over the kept cache;
 * - snapkv: generated tokens stay while among the last 64 (unless the budget is smaller), then go oldest first, before any
 *   context token; context tokens keep their prefill scores (so the sinks SnapKV kept stay);
 * - oracle: clairvoyant greedy, the smallest remaining future attention goes.
 */
type Mode = "static" | "h2o" | "observed" | "tova" | "snapkv" | "oracle";
const MODE: Record<string, Mode> = { h2o: "h2o", observed_attention: "observed", tova: "tova", snapkv: "snapkv", oracle: "oracle" };
const SNAP_WINDOW = 64;

function snapDecodeScore(i: number, time: number, context: number, prefill: Float64Array): number {
  if (i < context) return prefill[i]!;
  return i >= time - SNAP_WINDOW ? 1e14 + i : -1e15 + i; // the window stays unless the budget cannot hold it
}

function extendedView(view: HeadView): HeadView {
  return { ...view, context: view.total };
}

/**
 * Online decode mode at a fixed budget: prefill keeps the policy's top B context tokens; then
 * each future query attends over the cache plus itself (metrics recorded), its token is appended,
 * and the policy evicts one token while the cache holds more than B. B is each head's own, as the
 * allocator spreads the total from the policy's prefill scores (uniform: round(fraction × T)).
 */
export function evaluateOnline(trace: TokenTrace, options: OnlineOptions): OnlineHeadResult[] {
  checkTokenPolicies(options.policies, options.weights);
  const allocator = budgetAllocator(options.allocator ?? "uniform");
  const { layers, kvHeads } = trace.header.model;
  const { context: t, total: n } = trace.header.tokens;
  const perHead = Math.max(1, Math.round(options.budget * t));
  const seed = trace.header.generator?.seed ?? 0;
  const views = Array.from({ length: layers }, (_, l) => Array.from({ length: kvHeads }, (_, h) => headView(trace, l, h)));
  // Each policy's prefill scores over the context, [layer][head], made once: the allocator and the decode both start from them.
  const prefills = new Map<string, Float64Array[][]>();
  const prefillOf = (policy: string): Float64Array[][] => {
    if (!prefills.has(policy)) {
      prefills.set(policy, views.map((layerViews, layer) => layerViews.map((view, head) => {
        if (policy !== "oracle") return Float64Array.from(tokenPolicy(policy, options.weights).score({ view, layerViews, seed, layer, head }));
        const base = (layer * kvHeads + head) * t;
        return Float64Array.from(trace.utilitySum.subarray(base, base + t));
      })));
    }
    return prefills.get(policy)!;
  };
  const allocatorOptions = { ...DEFAULT_ALLOCATOR_OPTIONS, ...options.allocatorOptions };
  const allocations = new Map<string, Allocation>(options.policies.map((policy) => [policy,
    allocator.allocate({ perHead, context: t, views, scores: prefillOf(policy), options: allocatorOptions })]));
  const out: OnlineHeadResult[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const layerViews = views[layer]!;
    for (let head = 0; head < kvHeads; head++) {
      const view = layerViews[head]!;
      const d = view.headDim;
      const g = view.groupSize;
      // Full-cache attention rows of every future query and group member.
      const rows = Array.from({ length: n - t }, (_, s) => Array.from({ length: g }, (_, j) => {
        const row = new Float64Array(t + s + 1);
        attentionRow(view, j, t + s, row);
        return row;
      }));
      // Their full-cache head outputs and norms, shared by every policy.
      const outputs = rows.map((group) => group.map((row) => {
        const o = headOutput(view, row, row.length);
        return { o, norm: Math.sqrt(o.reduce((sum, x) => sum + x * x, 0)) || 1 };
      }));
      const events = new Map<number, number[]>();
      if (trace.events && trace.needleId) {
        for (let e = 0; e < trace.events.length; e += 4) {
          if (trace.events[e] !== layer || trace.events[e + 1] !== head) continue;
          const pos = trace.needleId.subarray(layer * n, layer * n + t).indexOf(trace.events[e + 3]!);
          (events.get(trace.events[e + 2]!) ?? events.set(trace.events[e + 2]!, []).get(trace.events[e + 2]!)!).push(pos);
        }
      }
      for (const policy of options.policies) {
        const allocation = allocations.get(policy)!;
        const budget = allocation.budgets[layer]![head]!;
        const rankedBy = allocation.rankedBy?.[layer]?.[head];
        const rule = rankedBy ?? policy;
        const mode = MODE[rule] ?? "static";
        const score = new Float64Array(n);
        if (mode === "static") {
          // Generated tokens scored by the same rule over the whole sequence, context tokens as offline (forced keeps included).
          score.set(tokenPolicy(rule, options.weights).score({ layerViews, seed, layer, head, view: extendedView(view) }));
        }
        score.set(prefillOf(rule)[layer]![head]!);
        // Remaining future attention (oracle), reduced over the group as the utility is (gqaReduce).
        const reduced = (s: number, i: number) => {
          let r = trace.header.gqaReduce === "max" ? -Infinity : 0;
          for (const row of rows[s]!) r = trace.header.gqaReduce === "max" ? Math.max(r, row[i]!) : r + row[i]! / g;
          return r;
        };
        // observed_attention: attention sums and the number of queries each token has been seen by.
        const seen = Float64Array.from({ length: n }, (_, i) => (i < t ? t - i : 0));
        const sums = mode === "observed" ? Float64Array.from(score, (x, i) => x * seen[i]!) : undefined;
        const remaining = new Float64Array(n);
        if (mode === "oracle") for (let s = 0; s < n - t; s++) for (let i = 0; i <= t + s; i++) remaining[i]! += reduced(s, i);
        const { order } = rankByScore(score.subarray(0, t), view.positions.subarray(0, t));
        const cached = new Uint8Array(n);
        for (let k = 0; k < Math.min(budget, t); k++) cached[order[k]!] = 1;
        let size = Math.min(budget, t);
        let retained = 0, error = 0, hits = 0, lookups = 0, evictions = 0;
        const acc = new Float64Array(d);
        const keptMass = new Float64Array(n); // per step, entries [0, time] are used
        for (let s = 0; s < n - t; s++) {
          const time = t + s;
          cached[time] = 1; // the query's own token is in the cache when it attends
          size++;
          keptMass.fill(0, 0, time + 1);
          rows[s]!.forEach((row, j) => {
            let mass = 0;
            acc.fill(0);
            for (let i = 0; i <= time; i++) {
              if (!cached[i]) continue;
              const a = row[i]!;
              mass += a;
              keptMass[i]! += a / g;
              for (let c = 0; c < d; c++) acc[c]! += a * view.values[i * d + c]!;
            }
            retained += mass / g;
            const { o, norm } = outputs[s]![j]!;
            let err = 0;
            for (let c = 0; c < d; c++) err += (o[c]! - (mass > 0 ? acc[c]! / mass : 0)) ** 2;
            error += Math.sqrt(err) / norm / g;
          });
          for (const pos of events.get(time) ?? []) {
            lookups++;
            if (cached[pos]) hits++;
          }
          // Maintain scores, then evict while over budget.
          let totalKept = 0;
          for (let i = 0; i <= time; i++) if (cached[i]) totalKept += keptMass[i]!;
          if (mode === "h2o") for (let i = 0; i <= time; i++) if (cached[i]) score[i]! += keptMass[i]! / (totalKept || 1);
          if (sums) {
            for (let i = 0; i <= time; i++) {
              if (!cached[i]) continue;
              sums[i]! += keptMass[i]! / (totalKept || 1);
              score[i] = sums[i]! / ++seen[i]!;
            }
          }
          if (mode === "oracle") for (let i = 0; i <= time; i++) remaining[i]! -= reduced(s, i);
          while (size > budget) {
            let victim = -1;
            let best = Infinity;
            for (let i = 0; i < time; i++) { // never the token just appended
              if (!cached[i]) continue;
              const v = mode === "tova" ? keptMass[i]! : mode === "oracle" ? remaining[i]! : mode === "snapkv" ? snapDecodeScore(i, time, t, score) : score[i]!;
              if (v < best || (v === best && victim >= 0 && i < victim)) {
                best = v;
                victim = i;
              }
            }
            if (victim < 0) break;
            cached[victim] = 0;
            size--;
            evictions++;
          }
        }
        const steps = n - t;
        out.push({
          layer, head, profile: trace.header.profiles?.[head], policy, allocator: allocator.name, budget, ...(rankedBy ? { rankedBy } : {}),
          retained: retained / steps, outputError: error / steps, evictions,
          ...(lookups > 0 ? { needleHits: hits / lookups } : {}),
        });
      }
      options.onHead?.(layer * kvHeads + head + 1, layers * kvHeads);
    }
  }
  return out;
}
