import { concludeSweep, makeBatches, runBatches, type SweepFailure } from "./execute.js";
import { localExecution, localExecutor } from "./local-executor.js";
import { memorySources, type TraceFiles } from "./memory-sources.js";
import { planSweepWith } from "./plan.js";
import type { SweepResult } from "./result.js";
import { parseSweepSpec, type SweepSpecInput } from "./spec.js";

/**
 * Runs a sweep spec on this machine — worker threads, or this thread when small and `threads` is
 * not given — with its trace files given in memory, and returns the results in row order, writing
 * nothing. The same planner, batches and engine as `kvsim sweep`, so the same results for any
 * thread count. A failed row throws.
 */
export async function sweepInMemory(spec: SweepSpecInput, files: TraceFiles, threads?: number): Promise<SweepResult[]> {
  const plan = await planSweepWith(parseSweepSpec(spec, spec.name), { source: spec.name, baseDir: "" }, memorySources(files));
  const execution = localExecution(plan, plan.rows, threads);
  const results: SweepResult[] = [];
  const failures: SweepFailure[] = [];
  const { interrupted } = await runBatches(plan, makeBatches(plan.rows, plan, execution.threads), localExecutor(plan, plan.rows, execution),
    undefined, (finished, failed) => {
      results.push(...finished);
      failures.push(...failed);
    });
  concludeSweep(results, failures, interrupted);
  const failure = failures[0];
  if (failure) throw new Error(`${spec.name}: ${failure.key} failed: ${failure.error}`);
  return results;
}
