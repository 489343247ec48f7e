import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NPA_TASKS } from "../../src/envs/serving/npa/constants.js";
import { NpaServingEnv } from "../../src/envs/serving/npa/npa-env.js";
import { NpaTraffic, type ArrivalSink, type TrafficSource } from "../../src/envs/serving/npa/traffic.js";
import { WaitQueue, type Waiting } from "../../src/envs/serving/npa/wait-queue.js";
import { PythonRandom } from "../../src/workloads/python-random.js";

// The npa port's shortcuts (waits by clock, refused arrivals left half-drawn) against the plain
// ways NeuralPagedAttention does the same things.

interface Member extends Waiting {
  name: number;
}

type Op = { kind: "push" } | { kind: "unshift"; wait: number } | { kind: "shift" } | { kind: "tick" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: "push" }),
  fc.nat({ max: 40 }).map<Op>((wait) => ({ kind: "unshift", wait })),
  fc.constant<Op>({ kind: "shift" }),
  fc.constant<Op>({ kind: "tick" }),
);

describe("WaitQueue", () => {
  it("gives every member NeuralPagedAttention's wait, SLA count and longest wait", () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const queue = new WaitQueue<Member>();
      const plain: Member[] = []; // waits incremented one by one, as NeuralPagedAttention does
      let next = 0;
      for (const o of ops) {
        if (o.kind === "push") {
          const m = { name: next++, wait: 0, waitBase: 0, requeued: false };
          queue.push(m);
          plain.push({ ...m });
        } else if (o.kind === "unshift") {
          const m = { name: next++, wait: o.wait, waitBase: 0, requeued: false };
          queue.unshift(m);
          plain.unshift({ ...m });
        } else if (o.kind === "shift") {
          const got = queue.shift();
          const want = plain.shift();
          expect(got?.name).toBe(want?.name);
          expect(got?.wait).toBe(want?.wait);
        } else {
          queue.tick();
          for (const m of plain) m.wait += 1;
        }
        expect(queue.length).toBe(plain.length);
        expect(queue.front?.name).toBe(plain[0]?.name);
        expect(queue.longestWait()).toBe(plain.reduce((w, m) => Math.max(w, m.wait), 0));
        for (const sla of [0, 1, 3, 10]) expect(queue.countWaiting(sla)).toBe(plain.filter((m) => m.wait === sla).length);
      }
    }), { numRuns: 300 });
  });
});

/** The generator's every arrival made in full, then offered to the sink: no shortcut for refused ones. */
class EagerTraffic implements TrafficSource {
  static refused = 0;

  constructor(private readonly inner: NpaTraffic) {}

  spawnInto(tick: number, pool: readonly string[], sink: ArrivalSink): void {
    for (const a of this.inner.spawn(tick, pool)) {
      if (sink.accepts(a.tier)) sink.enqueue(a);
      else {
        EagerTraffic.refused++;
        sink.drop(a.tier);
      }
    }
  }
}

describe("refused arrivals", () => {
  it("leave every step as if each had been drawn in full", () => {
    for (const task of NPA_TASKS) {
      const lazy = new NpaServingEnv({ task });
      const eager = new NpaServingEnv({ task, traffic: (seed) => new EagerTraffic(new NpaTraffic(task, seed)) });
      const actions = new PythonRandom(7);
      EagerTraffic.refused = 0;
      for (let seed = 1; seed <= 3; seed++) {
        expect(lazy.reset({ seed })).toEqual(eager.reset({ seed }));
        for (let done = false; !done;) {
          const action = actions.randbelow(19);
          const a = lazy.step(action);
          const b = eager.step(action);
          expect(a).toEqual(b);
          done = a.terminated || a.truncated;
        }
      }
      expect(EagerTraffic.refused, `${task}: some arrivals were refused`).toBeGreaterThan(0);
    }
  });
});
