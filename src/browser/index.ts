/**
 * kvsim in the browser (`import … from "kvsim/browser"`): the same WASM engine, planner and
 * environments as in Node, with the engine fetched instead of read from disk. The async functions
 * (`simulate`, `runSweep`, `missRatioCurves`) load the engine themselves; before the synchronous ones that run it
 * (`simulateSync`, `make`, `makeAgent`) await `init()` once. `generateWorkload`,
 * `parseTraceFile` and the registries need no engine.
 */
import { simulate as simulateSync, type SimulateOptions, type SimulationResult } from "../simulate.js";
import { simulateServing as simulateServingSync, type ServingSimulation, type SimulateServingOptions } from "../timed/simulate.js";
import { init } from "./engine.js";

export { init, type WasmSource } from "./engine.js";
export { defaultWorkers, replaySweepRow, runSweep, type BrowserSweepOptions, type BrowserSweepOutcome } from "./sweep.js";
export { parseTraceFile } from "./trace-files.js";
export { missRatioCurves } from "./mrc.js";
export type { MissRatioCurveOptions, MissRatioCurves, MissRatioCurve, CurveMethod, CurvePoint } from "../mrc/curves.js";
export { mrcChartSpec } from "../report/mrc-chart.js";
export { simulateSync };
export type { SimulateOptions, SimulationResult, Metrics, TierMetrics, SimulationEvent } from "../simulate.js";
export type { Scenario, TierConfig } from "../hierarchy/scenario.js";
export { SCENARIO_PRESETS } from "../hierarchy/presets.js";
export { parseScenario } from "../hierarchy/load-scenario.js";
export { POLICIES, PROFILES, type PolicyInfo, type Profile } from "../policies/registry.js";
export { WORKLOADS, generateWorkload, type WorkloadInfo } from "../workloads/registry.js";
export type { Trace } from "../traces/trace.js";
export { SWEEP_PRESETS, sweepPreset } from "../sweep/presets.js";
export type { SweepSpecInput } from "../sweep/spec.js";
export type { SweepResult } from "../sweep/result.js";
export type { SummaryRow } from "../sweep/summary.js";
export { recordsToCsv } from "../report/records-csv.js";
export { toSvg as renderChart } from "../report/charts.js";
export { tierOccupancy, type OccupancyPoint } from "../report/occupancy.js";
export { make, makeDiscrete, isDiscrete, envIds, ENVS, type EnvSpec, type AnyEnv, type DiscreteEnv } from "../envs/registry.js";
export { SERVING_ACTIONS, SERVING_OBSERVATION, SERVING_CACHE_POLICIES } from "../envs/serving/serving-env.js";
export type { Env, StepResult, BoxSpace, DiscreteSpace, Space } from "../envs/spaces.js";
export { AGENTS, makeAgent } from "../agents/registry.js";
export { runEpisode, type Agent, type EpisodeResult } from "../agents/agent.js";
export { KvsimInputError } from "../errors.js";
// The timed serving simulator (docs/timed.md): after `init()`, `simulateServingSync` and
// `simulateServingStream` run as in Node; `parseProfileTableFiles` reads Vidur-format tables from files given to the page.
export { simulateServingSync };
export { BLOCK_POLICIES } from "../wasm/block-eviction.js";
export { requestsFor } from "../timed/reads-future.js";
export { simulateServingStream, servingKvBlocks, vidurKvBlocks, SCHEDULERS, CACHE_MODELS, type SimulateServingOptions, type StreamServingOptions, type ServingSimulation, type SchedulerName, type CacheModel } from "../timed/simulate.js";
export { simulateServingInto } from "../timed/simulate-into.js";
export { MAX_KV_BLOCKS } from "../timed/deployment.js";
export {
  HOST_LINKS, HOST_LOADS, LOAD_OVERLAPS, parseHostLink, PREEMPTIONS, type HostLoad, type HostTierOptions, type HostTierSummary, type LoadOverlap, type Preemption,
} from "../timed/host-tier.js";
export { DISK_LINKS, parseDiskLink, type DiskTierOptions, type DiskTierSummary } from "../timed/disk-tier.js";
export type { ServingSummary, RequestResult, IterationResult, Distribution } from "../timed/results.js";
export type { RunSink } from "../timed/engine-run.js";
export type { ServingRequest, TokenContent } from "../timed/requests.js";
export { MODELS, modelPreset, modelFromHfConfig, type ModelSpec } from "../timed/models.js";
export { GPUS, gpuPreset, type GpuSpec } from "../timed/gpus.js";
export { rooflineTimeModel, DEFAULT_ROOFLINE, type RooflineParams } from "../timed/roofline.js";
export type { TimeModel, IterationBatch } from "../timed/time-model.js";
export { parseRequestsCsv, parseMooncakeRequests, parseAzureRequests, parseServingTrace, detectServingTraceFormat, SERVING_TRACE_FORMATS, type ServingTraceFormat } from "../timed/trace-formats.js";
export { syntheticRequests, syntheticStream, specAtQps, type SyntheticWorkloadInput } from "../timed/workloads.js";
export { searchCapacity, atQps, type CapacityOptions, type CapacityResult } from "../timed/capacity.js";
export { servingCharts, type ServingChartInput } from "../timed/charts.js";
export { ServingChartRecorder } from "../timed/chart-recorder.js";
export { parseProfileTableFiles } from "./profile-tables.js";
export { runServingSweep, type BrowserServingSweepOptions, type BrowserServingSweepOutcome } from "./serving-sweep.js";
export type { ServingSweepSpecInput } from "../timed/sweep/spec.js";
export type { ProfileTables } from "../timed/profile-tables.js";

/** Simulates serving requests on a model and GPU (loading the engine first if needed); see docs/timed.md. */
export async function simulateServing(options: SimulateServingOptions): Promise<ServingSimulation> {
  await init();
  return simulateServingSync(options);
}

/** Replays a trace through the engine (loading it first if needed); see `SimulateOptions`. */
export async function simulate(options: SimulateOptions): Promise<SimulationResult> {
  await init();
  return simulateSync(options);
}
