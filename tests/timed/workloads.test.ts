import { describe, expect, it } from "vitest";
import { KvsimInputError } from "../../src/errors.js";
import type { ServingRequest } from "../../src/timed/requests.js";
import { readServingTrace } from "../../src/timed/trace-formats.js";
import {
  SESSION_BLOCK_TOKENS, syntheticRequests, syntheticStream, traceLengths, type LengthDist, type SyntheticWorkloadInput,
} from "../../src/timed/workloads.js";

const fixed = (value: number): LengthDist => ({ kind: "fixed", value });
const base: SyntheticWorkloadInput = { requests: 20_000, arrivals: { kind: "poisson", qps: 4 }, prompt: fixed(100), output: fixed(10) };
const chat: SyntheticWorkloadInput = {
  requests: 2_000,
  arrivals: { kind: "gamma", qps: 2, cv: 1.5 },
  prompt: { kind: "uniform", min: 5, max: 60 },
  output: { kind: "uniform", min: 1, max: 40 },
  sessions: { turns: { kind: "uniform", min: 1, max: 6 }, thinkTimeS: 3, systemPromptTokens: 40 },
};

const gaps = (requests: readonly ServingRequest[]): number[] => requests.slice(1).map((r, i) => r.arrival - requests[i]!.arrival);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const cv = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2))) / m;
};
/** Requests by session, each session's turns in arrival order (Map.groupBy needs Node 21). */
function sessionsOf(requests: readonly ServingRequest[]): Map<number, ServingRequest[]> {
  const sessions = new Map<number, ServingRequest[]>();
  for (const r of requests) {
    const turns = sessions.get(r.session!) ?? [];
    turns.push(r);
    sessions.set(r.session!, turns);
  }
  return sessions;
}
const isSorted = (requests: readonly ServingRequest[]): boolean => requests.every((r, i) => i === 0 || requests[i - 1]!.arrival <= r.arrival);

describe("synthetic workloads: arrivals", () => {
  it("poisson: mean gap 1/qps and coefficient of variation 1", () => {
    const g = gaps(syntheticRequests(base, 1));
    expect(Math.abs(mean(g) * 4 - 1)).toBeLessThan(0.03);
    expect(Math.abs(cv(g) - 1)).toBeLessThan(0.05);
  });

  it.each([0.5, 2])("gamma with cv %d: mean gap 1/qps and the requested cv", (want) => {
    const g = gaps(syntheticRequests({ ...base, arrivals: { kind: "gamma", qps: 4, cv: want } }, 1));
    expect(Math.abs(mean(g) * 4 - 1)).toBeLessThan(0.03);
    expect(Math.abs(cv(g) / want - 1)).toBeLessThan(0.05);
  });

  it("fixed: request k arrives at k / qps", () => {
    const requests = syntheticRequests({ ...base, requests: 1000, arrivals: { kind: "fixed", qps: 3 } }, 1);
    requests.forEach((r, k) => expect(r.arrival).toBe(k / 3));
  });

  it.each([[0], [-2], [NaN], [Infinity]])("qps %d is an input error naming the field", (qps) => {
    const run = () => syntheticStream({ ...base, arrivals: { kind: "poisson", qps } }, 1);
    expect(run).toThrow(KvsimInputError);
    expect(run).toThrow(/^synthetic workload: arrivals\.qps: /);
  });

  it("other bad specs and seeds are input errors naming the field", () => {
    expect(() => syntheticStream({ ...base, arrivals: { kind: "gamma", qps: 1, cv: 0 } }, 1)).toThrow(/arrivals\.cv: /);
    expect(() => syntheticStream({ ...base, prompt: { kind: "uniform", min: 9, max: 3 } }, 1, "w.json")).toThrow(/^w\.json: prompt\.max: min must be at most max/);
    expect(() => syntheticStream({ ...base, output: { kind: "trace", values: [] } }, 1)).toThrow(/output\.values: /);
    expect(() => syntheticStream({ ...base, requests: 0 }, 1)).toThrow(/requests: /);
    expect(() => syntheticStream(base, -1)).toThrow("seed must be an integer in [0, 2^32), got -1");
    expect(() => syntheticStream(base, 1.5)).toThrow(KvsimInputError);
  });
});

describe("synthetic workloads: lengths", () => {
  const draws = (dist: LengthDist, field: "prompt" | "output" = "prompt") => syntheticRequests({ ...base, [field]: dist }, 5).map((r) => r[field]);

  it("uniform covers [min, max] inclusive and nothing else", () => {
    const xs = draws({ kind: "uniform", min: 3, max: 7 });
    expect(new Set(xs)).toEqual(new Set([3, 4, 5, 6, 7]));
  });

  it("normal is rounded, has the requested mean, and is clamped to [min, max] or at least 1", () => {
    const xs = draws({ kind: "normal", mean: 500, std: 50 });
    expect(xs.every(Number.isInteger)).toBe(true);
    expect(Math.abs(mean(xs) / 500 - 1)).toBeLessThan(0.01);
    const clamped = draws({ kind: "normal", mean: 500, std: 200, min: 400, max: 600 });
    expect(Math.min(...clamped)).toBe(400);
    expect(Math.max(...clamped)).toBe(600);
    expect(new Set(draws({ kind: "normal", mean: -50, std: 10 }))).toEqual(new Set([1]));
  });

  it("trace resamples a trace's lengths with replacement", () => {
    const trace = readServingTrace("tests/fixtures/timed/azure-5.csv");
    expect(traceLengths(trace, "output")).toEqual({ kind: "trace", values: [44, 109, 1, 247, 3] });
    const xs = draws(traceLengths(trace, "prompt"));
    expect(new Set(xs)).toEqual(new Set([374, 396, 879, 91, 1500]));
  });

  it("single-turn requests carry no prefix or session", () => {
    expect(syntheticRequests({ ...base, requests: 3 }, 1).every((r) => r.content === undefined && r.session === undefined)).toBe(true);
  });
});

describe("synthetic workloads: sessions", () => {
  const requests = syntheticRequests(chat, 11);
  const bySession = sessionsOf(requests);

  it("count turns as requests and come sorted by arrival", () => {
    expect(requests).toHaveLength(2000);
    expect(isSorted(requests)).toBe(true);
    expect(bySession.size).toBeGreaterThan(2000 / 6);
    expect([...bySession.values()].every((turns) => turns.length <= 6)).toBe(true);
  });

  it("a turn arrives thinkTimeS after the previous one, its prompt the conversation so far plus new tokens", () => {
    for (const turns of bySession.values()) {
      turns.slice(1).forEach((turn, i) => {
        const previous = turns[i]!;
        expect(turn.arrival - previous.arrival).toBeCloseTo(3, 9);
        const added = turn.prompt - previous.prompt - previous.output;
        expect(added).toBeGreaterThanOrEqual(5);
        expect(added).toBeLessThanOrEqual(60);
      });
    }
  });

  it("content ids cover prompt and output; a turn shares its predecessor's full blocks, the system prompt's with every session", () => {
    const systemIds = [0, 1]; // 40 tokens: two full 16-token blocks
    const otherSessions = new Map<number, Set<number>>();
    for (const [session, turns] of bySession) {
      turns.forEach((turn, k) => {
        expect(turn.content!.blockTokens).toBe(SESSION_BLOCK_TOKENS);
        expect(turn.content!.tokens).toBe(turn.prompt + turn.output);
        expect(turn.content!.ids).toHaveLength(Math.ceil((turn.prompt + turn.output) / SESSION_BLOCK_TOKENS));
        expect(turn.content!.ids.slice(0, 2)).toEqual(systemIds);
        if (k === 0) return;
        const before = turns[k - 1]!;
        expect(turn.prompt).toBeGreaterThan(before.prompt + before.output);
        const full = Math.floor((before.prompt + before.output) / SESSION_BLOCK_TOKENS);
        expect(turn.content!.ids.slice(0, full)).toEqual(turns[k - 1]!.content!.ids.slice(0, full));
        // The predecessor's partial last block is not this turn's block there: its content differs.
        if ((before.prompt + before.output) % SESSION_BLOCK_TOKENS) expect(turn.content!.ids[full]).not.toBe(before.content!.ids[full]);
      });
      otherSessions.set(session, new Set(turns.flatMap((t) => t.content!.ids.slice(2))));
    }
    // Beyond the system prompt, sessions share no block.
    const owners = new Map<number, number>();
    for (const [session, ids] of otherSessions) {
      for (const id of ids) {
        expect(owners.get(id) ?? session).toBe(session);
        owners.set(id, session);
      }
    }
  });

  it("with a think time of 0 a session's turns arrive together", () => {
    const together = syntheticRequests({ ...chat, requests: 50, sessions: { ...chat.sessions!, thinkTimeS: 0, turns: fixed(5) } }, 2);
    for (const turns of sessionsOf(together).values()) {
      expect(new Set(turns.map((t) => t.arrival)).size).toBe(1);
    }
  });
});

describe("synthetic workloads: determinism and scale", () => {
  it.each([["single-turn", base], ["sessions", chat]] as const)("%s: the same spec and seed give identical requests, another seed others", (_, spec) => {
    const a = JSON.stringify(syntheticRequests(spec, 42));
    expect(JSON.stringify(syntheticRequests(spec, 42))).toBe(a);
    expect(JSON.stringify(syntheticRequests(spec, 43))).not.toBe(a);
  });

  it("the stream yields the array's requests, one at a time", () => {
    expect([...syntheticStream(chat, 9)]).toEqual(syntheticRequests(chat, 9));
    // A billion requests: only what is taken is made.
    const stream = syntheticStream({ ...base, requests: 1e9 }, 9);
    expect([stream.next().value, stream.next().value]).toEqual(syntheticRequests(base, 9).slice(0, 2));
  });

  it("each distribution draws from its own stream: changing the outputs leaves arrivals and prompts alone", () => {
    const spec: SyntheticWorkloadInput = { ...base, requests: 100, prompt: { kind: "uniform", min: 1, max: 1000 } };
    const a = syntheticRequests(spec, 3);
    const b = syntheticRequests({ ...spec, output: { kind: "normal", mean: 100, std: 30 } }, 3);
    expect(b.map((r) => [r.arrival, r.prompt])).toEqual(a.map((r) => [r.arrival, r.prompt]));
  });

  it("streams 1,000,000 requests in arrival order", () => {
    let last = -1;
    let count = 0;
    for (const r of syntheticStream({ ...base, requests: 1_000_000, prompt: { kind: "uniform", min: 1, max: 4096 } }, 1)) {
      if (r.arrival < last) throw new Error("out of order");
      last = r.arrival;
      count++;
    }
    expect(count).toBe(1_000_000);
  });
});
