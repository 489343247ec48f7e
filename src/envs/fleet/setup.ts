import { KvsimInputError } from "../../errors.js";
import { MAX_KV_BLOCKS } from "../../timed/deployment.js";
import { gpuPreset } from "../../timed/gpus.js";
import { modelPreset } from "../../timed/models.js";
import type { PlanOptions } from "../../timed/simulate.js";
import type { SyntheticWorkloadInput } from "../../timed/workloads.js";

/** What `make(id, options)` may set on a fleet env; every other setting is the preset below. */
export interface FleetEnvOptions {
  /** Instances each request may be routed to: the action space's size (2 to 16; default 4). */
  instances?: number;
  /** Requests per episode, one step each (default 256). */
  requests?: number;
  /** Blocks of each instance's host tier, below its GPU cache (0: none, the default). */
  hostBlocks?: number;
  /**
   * Blocks of one store below the host tiers that every instance shares over 100 Gb/s RDMA
   * (docs/model.md; 0: none, the default): a follow-up turn routed elsewhere can find its history there.
   */
  sharedBlocks?: number;
}

/**
 * Each instance: Llama-3-8B on one L4, timed by the roofline model, with a small GPU cache of 600
 * blocks of 16 tokens (9,600 tokens: about three of the longest conversations), so that where a
 * conversation's history is cached decides whether its next turn recomputes it. On an L4 a
 * 2,000-token prefill takes a sizeable part of the TTFT SLO, and a decode step most of the TPOT SLO.
 */
export const FLEET_DEPLOYMENT = { model: "llama-3-8b", gpu: "l4", kvBlocks: 600 } as const;

/** The SLOs a request must meet to count: time to first token and time per output token, in seconds. */
export const FLEET_SLO = { ttftS: 0.4, tpotS: 0.09 } as const;

/**
 * Multi-turn chats (timed/workloads.ts): conversations start at 4 a second, each of 2 to 6 turns
 * 5 s apart, every prompt the conversation so far (after a shared 400-token system prompt) plus
 * 20–300 new tokens, answers of 10–100 tokens. The default fleet is loaded enough that routing
 * decides a good share of the SLOs (docs/envs.md has the baselines).
 */
export const FLEET_WORKLOAD: Omit<SyntheticWorkloadInput, "requests"> = {
  arrivals: { kind: "poisson", qps: 4 },
  prompt: { kind: "uniform", min: 20, max: 300 },
  output: { kind: "uniform", min: 10, max: 100 },
  sessions: { turns: { kind: "uniform", min: 2, max: 6 }, thinkTimeS: 5, systemPromptTokens: 400 },
};

export const FLEET_DEFAULTS = { instances: 4, requests: 256, hostBlocks: 0, sharedBlocks: 0 } as const;
const LIMITS = { instances: [2, 16], requests: [1, 100_000], hostBlocks: [0, MAX_KV_BLOCKS], sharedBlocks: [0, MAX_KV_BLOCKS] } as const;

/** A fleet env's settings, checked and resolved. */
export interface FleetSetup {
  instances: number;
  requests: number;
  /** Each instance's deployment, as `simulateFleet` takes it (with the SLOs). */
  plan: PlanOptions;
  workload: Omit<SyntheticWorkloadInput, "requests">;
}

/** The option's value, an integer within its limits, or an input error naming it. */
function integerOption(options: FleetEnvOptions, name: keyof FleetEnvOptions): number {
  const value: unknown = options[name] ?? FLEET_DEFAULTS[name];
  const [low, high] = LIMITS[name];
  if (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high) {
    throw new KvsimInputError(`fleet env option ${name} must be an integer from ${low} to ${high.toLocaleString("en-US")}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function fleetSetup(options: FleetEnvOptions): FleetSetup {
  const hostBlocks = integerOption(options, "hostBlocks");
  const sharedBlocks = integerOption(options, "sharedBlocks");
  // Blocks reach a disk tier through host memory: the store sits below the host tiers.
  if (sharedBlocks > 0 && hostBlocks === 0) throw new KvsimInputError("fleet env option sharedBlocks puts a store below the instances' host tiers: give hostBlocks too");
  const disk = sharedBlocks > 0 ? { disk: { blocks: sharedBlocks, link: "rdma100" as const, shared: true } } : {};
  return {
    instances: integerOption(options, "instances"),
    requests: integerOption(options, "requests"),
    plan: {
      model: modelPreset(FLEET_DEPLOYMENT.model), gpu: gpuPreset(FLEET_DEPLOYMENT.gpu), kvBlocks: FLEET_DEPLOYMENT.kvBlocks, slo: FLEET_SLO,
      ...(hostBlocks > 0 ? { hostTier: { blocks: hostBlocks, ...disk } } : {}),
    },
    workload: FLEET_WORKLOAD,
  };
}
