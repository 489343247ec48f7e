/** kvsim's public API. */
export { simulate, pageBytes } from "./simulate.js";
export type { SimulateOptions, SimulationResult, Metrics, TierMetrics, SimulationEvent, EventType } from "./simulate.js";
export type { Scenario, TierConfig, PrefetchConfig } from "./hierarchy/scenario.js";
export { scenarioSchema } from "./hierarchy/scenario.js";
export { SCENARIO_PRESETS, KHL_DEFAULT_SCENARIOS, scaledTiers } from "./hierarchy/presets.js";
export { resolveScenario, parseScenario } from "./hierarchy/load-scenario.js";
export { QUANTIZATION_SCHEMES, footprintBytes, quantizationScheme } from "./hierarchy/quantization.js";
export { POLICIES, policyInfo, resolvePolicyParams, PROFILES } from "./policies/registry.js";
export type { PolicyInfo, PolicyParam, Profile } from "./policies/registry.js";
export type { Trace } from "./traces/trace.js";
export { checkTrace } from "./traces/trace.js";
export { parseKhlTraceList, readKhlTraceList } from "./traces/khl-json.js";
export { KvsimInputError } from "./errors.js";
