import type { IterationResult, RequestResult, ServingSimulation } from "./simulate.js";

/** A number as CSV text: shortest round-trip decimal, NaN as an empty cell. */
const cell = (x: number): string => (Number.isNaN(x) ? "" : String(x));

/** `requests.csv`: one row per request in input order, times in seconds from the simulation's zero. */
export function requestsCsv(requests: readonly RequestResult[]): string {
  const header = "request_id,arrival_s,prompt_tokens,output_tokens,first_scheduled_s,first_token_s,completion_s,ttft_s,tpot_s,e2e_s,preemptions,prefix_hit_tokens";
  const rows = requests.map((r) => [r.requestId, r.arrival, r.promptTokens, r.outputTokens, r.firstScheduled, r.firstToken, r.completion,
    r.ttft, r.tpot, r.e2e, r.preemptions, r.prefixHitTokens].map(cell).join(","));
  return `${header}\n${rows.join("\n")}\n`;
}

/** `iterations.csv`: one row per iteration (a batch), in order. */
export function iterationsCsv(iterations: readonly IterationResult[]): string {
  const header = "iteration,start_s,duration_s,requests,prefill_tokens,decode_tokens,kv_blocks_used";
  const rows = iterations.map((i, k) => [k, i.start, i.duration, i.requests, i.prefillTokens, i.decodeTokens, i.kvBlocksUsed].map(cell).join(","));
  return `${header}\n${rows.join("\n")}\n`;
}

/** The files `kvsim serving simulate --out DIR` writes, by name. */
export function simulationArtifacts(sim: ServingSimulation): Record<string, string> {
  return {
    "requests.csv": requestsCsv(sim.requests),
    "iterations.csv": iterationsCsv(sim.iterations),
    "summary.json": `${JSON.stringify(sim.summary, null, 2)}\n`,
  };
}
