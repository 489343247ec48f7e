/**
 * One build's side of `npm run bench:ab`, in a process of its own: it loads a host's compiled
 * `simulate` (this checkout's, or a git revision's built beside it), so that builds whose engine
 * exports differ still compare. It replays what the parent asks, one run at a time, and answers
 * with the replay-only rate and the metrics; between requests it waits, so it takes no CPU while
 * the other builds run.
 *
 * argv: <host dist directory> [<engine .wasm to use instead of the host's own>]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Scenario } from "../src/hierarchy/scenario.js";
import type { Trace } from "../src/traces/trace.js";
import { generateWorkload } from "../src/workloads/registry.js";

export interface DriverRequest {
  policy: string;
  scenario: Scenario;
}

export interface DriverReply {
  rate?: number;
  metrics?: string;
  error?: string;
}

type Simulate = (options: { scenario: Scenario; trace: Trace; policy: string; profile: string }) => { metrics: unknown; replayMs: number };

const [hostDist, wasm] = process.argv.slice(2) as [string, string | undefined];
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(hostDist, path)).href)) as T;

// The host's module loader: src/wasm/instance.js since the declared boundary, engine-module.js before.
const loader = await load<{ useEngineModule(m: WebAssembly.Module): void }>("src/wasm/instance.js")
  .catch(() => load<{ useEngineModule(m: WebAssembly.Module): void }>("src/wasm/engine-module.js"));
if (wasm) loader.useEngineModule(new WebAssembly.Module(readFileSync(wasm)));
const { simulate } = await load<{ simulate: Simulate }>("src/simulate.js");
// Every build replays this checkout's trace, so that their metrics must agree.
const trace = generateWorkload("zipf", { pages: 1_000_000, length: 10_000_000, alpha: 0.99, seed: 1, scalars: 2048 });

process.on("message", (request: DriverRequest) => {
  let reply: DriverReply;
  try {
    const run = simulate({ scenario: request.scenario, trace, policy: request.policy, profile: "kvsim" });
    reply = { rate: trace.accesses.length / (run.replayMs / 1000), metrics: JSON.stringify(run.metrics) };
  } catch (error) {
    reply = { error: (error as Error).message };
  }
  process.send!(reply);
});
process.send!({});
