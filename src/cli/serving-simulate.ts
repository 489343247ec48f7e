import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { KvsimInputError } from "../errors.js";
import { ArtifactWriter } from "../timed/artifacts.js";
import type { RunSink } from "../timed/engine-run.js";
import type { ServingRequest } from "../timed/requests.js";
import type { Distribution, ServingSummary } from "../timed/simulate.js";
import { simulateServingInto } from "../timed/simulate-into.js";
import { requestsFor } from "../timed/reads-future.js";
import { specAtQps, syntheticStream } from "../timed/workloads.js";
import { ms, table } from "./format.js";
import { requestProgress } from "./progress.js";
import { parseIntInRange, parsePositiveNumber } from "./options.js";
import { MAX_INSTANCES } from "../timed/fleet.js";
import { ROUTER_NAMES, ROUTERS } from "../timed/routers/registry.js";
import { SESSION_AFFINITIES, type SessionAffinity } from "../timed/routers/session-affinity.js";
import { runFleet } from "./serving-fleet.js";
import { addServingRunOptions, requestSource, servingRunOptions, type ServingRunFlags } from "./serving-run-options.js";
import { checkOutputDir } from "./outputs.js";

interface SimulateOptions extends ServingRunFlags {
  instances?: number;
  router: string;
  sessionAffinity?: SessionAffinity;
  qps?: number;
  sloTtftMs?: number;
  sloTpotMs?: number;
  out?: string;
  json?: boolean;
}

/**
 * The requests: a trace (read whole), or a workload spec with --qps and --requests overriding its
 * own, drawn as the simulation takes them. `total` sizes the progress bar.
 */
function requestsOf(opts: SimulateOptions): { requests: Iterable<ServingRequest>; total: number } {
  if (opts.trace !== undefined && opts.qps !== undefined) throw new KvsimInputError("--qps and --requests shape a --workload; a --trace has its own arrivals");
  const source = requestSource(opts);
  if (source.kind === "trace") return { requests: source.requests, total: source.requests.length };
  const spec = opts.qps !== undefined ? specAtQps(source.spec, opts.qps) : source.spec;
  return { requests: syntheticStream(spec, opts.seed, source.file), total: spec.requests as number };
}



const SUMMARY_SHAPE = "{scheduler, timeModel, model, gpu, requests, kvBlocks, ttft, tpot, itl, e2e (each {p50, p90, p99, mean, max} in s), " +
  "throughput {inputTokensPerS, outputTokensPerS, requestsPerS}, goodput ({slo, requestsPerS, attainment} or null), preemptions, prefixHitTokens, prefixBlocks {blocks, matchedBlocks, hitRate}, tokens {prompt, gpuHit, hostHit, diskHit, prefilled}, " +
  "hostTier ({blocks, offload, loadOverlap, preemption, load, eviction, link, hitTokens, offloadedBlocks, loadedBlocks, swappedOutBlocks, swappedInBlocks, bytesToHost, bytesFromHost, toHostUtilization, fromHostUtilization} or null), " +
  "diskTier ({blocks, offload, eviction, shared, link {read, write}, hitTokens, offloadedBlocks, loadedBlocks, stagedBlocks, bytesToDisk, bytesFromDisk, toDiskUtilization, fromDiskUtilization} or null), iterations, meanBatchSize, meanTokensPerIteration, kvUtilization {mean, peak}, simulationMs}";

/** `kvsim serving simulate`: a timed serving simulation of a request trace or a synthetic workload. */
export function simulateCommand(): Command {
  return addServingRunOptions(new Command("simulate")
    .description("simulate serving requests on a model and GPU, iteration by iteration: TTFT, TPOT, E2E, throughput, goodput (all simulated; docs/timed.md)"))
    .option("--qps <q>", "with --workload: requests (or sessions) per second, overriding the spec's", parsePositiveNumber("--qps"))
    .option("--slo-ttft-ms <ms>", "goodput: a request's TTFT SLO", parsePositiveNumber("--slo-ttft-ms"))
    .option("--slo-tpot-ms <ms>", "goodput: a request's TPOT SLO", parsePositiveNumber("--slo-tpot-ms"))
    .option("--instances <n>", "run this many instances of the deployment behind --router; prints the fleet's and each instance's figures", parseIntInRange("--instances", 1, MAX_INSTANCES))
    .addOption(new Option("--router <name>", `with --instances: which instance takes each request (${ROUTERS.map((r) => `${r.name}: ${r.summary}`).join("; ")})`).choices(ROUTER_NAMES).default("round-robin"))
    .addOption(new Option("--session-affinity <mode>", "with --instances: free (default) routes every request; pinned sends a session's later requests to the instance its first went to").choices(SESSION_AFFINITIES))
    .option("--out <dir>", "write requests.csv, iterations.csv, summary.json and charts (latency-cdf.svg, kv-usage.svg, batch-size.svg; with --instances, latency-cdf.svg and instances.svg) there")
    .option("--json", `print the summary as JSON: ${SUMMARY_SHAPE}; with --instances, {router, sessionAffinity, fleet, instances} of such summaries`)
    .action(async (opts: SimulateOptions) => {
      const run = servingRunOptions(opts, opts.instances !== undefined);
      if (opts.instances === undefined && opts.router !== "round-robin") throw new KvsimInputError("--router routes among --instances: give --instances N");
      if (opts.instances === undefined && opts.sessionAffinity !== undefined) throw new KvsimInputError("--session-affinity pins sessions among --instances: give --instances N");
      if (opts.out) checkOutputDir(opts.out, "--out");
      const { requests: drawn, total } = requestsOf(opts);
      const slo = { ...(opts.sloTtftMs !== undefined ? { ttftS: opts.sloTtftMs / 1000 } : {}), ...(opts.sloTpotMs !== undefined ? { tpotS: opts.sloTpotMs / 1000 } : {}) };
      const options = { ...run, slo };
      const requests = requestsFor(options, drawn);
      if (opts.instances !== undefined) {
        return runFleet(options, [...requests], { instances: opts.instances, router: opts.router, sessionAffinity: opts.sessionAffinity ?? "free", json: opts.json === true, out: opts.out });
      }
      if (opts.out) mkdirSync(opts.out, { recursive: true });
      const writer = opts.out ? new ArtifactWriter(opts.out, run.hostTier?.disk !== undefined) : undefined;
      const sink: RunSink = writer ?? { request: () => {}, iteration: () => {} };
      const progress = opts.json ? undefined : requestProgress("simulating", total);
      let s: ServingSummary;
      try {
        s = simulateServingInto({ ...options, onProgress: progress?.update }, requests, sink);
      } catch (err) {
        writer?.discard();
        throw err;
      } finally {
        progress?.stop();
      }
      const written = writer ? await writer.finish(s) : [];
      if (opts.json) return console.log(JSON.stringify(s));
      console.log(`${s.requests} requests, ${s.model} on ${opts.tp > 1 ? `${opts.tp} × ` : ""}${s.gpu}, ${s.scheduler} timed by ${s.timeModel}, ${s.kvBlocks} KV blocks: ` +
        `${s.iterations} iterations, ${s.preemptions} preemptions, ${s.prefixHitTokens} prefix-hit tokens (simulated; simulation took ${s.simulationMs.toFixed(1)} ms)`);
      const row = (name: string, d: Distribution) => [name, ms(d.p50), ms(d.p90), ms(d.p99), ms(d.mean)];
      console.log(table(["ms", "p50", "p90", "p99", "mean"], [row("TTFT", s.ttft), row("TPOT", s.tpot), row("ITL", s.itl), row("E2E", s.e2e)]));
      console.log(`throughput: ${s.throughput.requestsPerS.toFixed(2)} requests/s, ${s.throughput.inputTokensPerS.toFixed(0)} input and ` +
        `${s.throughput.outputTokensPerS.toFixed(0)} output tokens/s; KV use mean ${(s.kvUtilization.mean * 100).toFixed(1)}%, peak ${(s.kvUtilization.peak * 100).toFixed(1)}%`);
      const p = s.prefixBlocks;
      if (s.scheduler === "vllm") {
        const t = s.tokens;
        const fromDisk = s.diskTier ? `, loaded from disk ${t.diskHit}` : "";
        console.log(`prompt tokens: ${t.prompt}; found on the GPU ${t.gpuHit}, loaded from the host ${t.hostHit}${fromDisk}, prefilled ${t.prefilled} (recomputation after preemption included)`);
        console.log(`prefix blocks matched at admission: ${p.matchedBlocks} of ${p.blocks} (hit rate ${p.hitRate.toFixed(4)})`);
      }
      const h = s.hostTier;
      if (h) {
        console.log(`host tier (${h.blocks} blocks, ${h.offload}${h.loadOverlap === "layerwise" ? ", layer-wise loads" : ""}): ${h.hitTokens} prompt tokens loaded instead of computed; ${h.offloadedBlocks} blocks offloaded, ` +
          `${h.loadedBlocks} loaded${h.preemption === "swap" ? `; ${h.swappedOutBlocks} swapped out, ${h.swappedInBlocks} swapped in` : ""}; link busy ${(h.toHostUtilization * 100).toFixed(2)}% down, ${(h.fromHostUtilization * 100).toFixed(2)}% up`);
      }
      const d = s.diskTier;
      if (d) {
        console.log(`disk tier (${d.blocks} blocks, ${d.offload}, ${d.eviction}): ${d.hitTokens} prompt tokens loaded through the host instead of computed; ${d.offloadedBlocks} blocks offloaded, ` +
          `${d.loadedBlocks} loaded (${d.stagedBlocks} kept in the host); link busy ${(d.toDiskUtilization * 100).toFixed(2)}% down, ${(d.fromDiskUtilization * 100).toFixed(2)}% up`);
      }
      if (s.goodput) console.log(`goodput: ${s.goodput.requestsPerS.toFixed(2)} requests/s meet the SLOs (${(s.goodput.attainment * 100).toFixed(1)}% of requests)`);
      if (opts.out) console.log(`wrote ${written.map((f) => join(opts.out!, f)).join(", ")}`);
    });
}
