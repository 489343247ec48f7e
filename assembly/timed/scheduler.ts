import { TimeModel } from "./time-model";

/**
 * The one interface of the timed schedulers (src/timed/vllm.ts, vidur.ts are their TypeScript
 * references): `step` runs the next iteration — forms a batch, times it, advances its requests,
 * writes their rows — or says why it cannot (a `TimedStop`). A scheduler checks what it needs
 * (input, output room) before it changes anything, so a stopped step is simply called again. Each
 * scheduler is a file of this directory and a line of schedulers.ts.
 */
export abstract class Scheduler {
  constructor(protected timeModel: TimeModel) {}
  /** The request table has grown to `capacity` slots: grow the per-slot state with it. */
  abstract resize(capacity: i32): void;
  /** -1 after an iteration, else the `TimedStop` that ended the step before it changed anything. */
  abstract step(): i32;
  /** The simulated clock, s. */
  abstract clock(): f64;
  /** KV blocks in use now (the pool's, or Vidur's allocation count). */
  abstract usedBlocks(): i32;
  /** Requests in the running set now. */
  abstract runningCount(): i32;
  /** The first broken invariant (0: none), for the property tests. */
  check(): i32 {
    return 0;
  }
}
