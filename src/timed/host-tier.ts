import { KvsimInputError } from "../errors.js";
import { blockEviction } from "../wasm/block-eviction.js";
import { TimedOffload, type HostTierConfig, type HostTierCounters } from "../wasm/timed.js";

/**
 * Links between the GPU and host DRAM, each direction (docs/model.md gives the sources): PCIe x16
 * at about 80% of its 31.5 GB/s (Gen4) or 63 GB/s (Gen5) per direction, as measured copies reach.
 * The latency of one transfer is kvsim's assumption (no source publishes one for KV copies).
 */
export const HOST_LINKS = {
  pcie4: { bytesPerS: 25e9, latencyS: 10e-6, summary: "PCIe 4.0 x16: 25 GB/s each way (about 80% of 31.5 GB/s), 10 µs per transfer" },
  pcie5: { bytesPerS: 50e9, latencyS: 10e-6, summary: "PCIe 5.0 x16: 50 GB/s each way (about 80% of 63 GB/s), 10 µs per transfer" },
} as const;

export type HostLinkName = keyof typeof HOST_LINKS;

/** A host tier as a run asks for it: its blocks, when blocks are copied there, and its link. */
export interface HostTierOptions {
  /** Blocks of the host tier, of the GPU's block size. */
  blocks: number;
  /** `write-back`: a block is copied when the GPU evicts it (default); `write-through`: as soon as it is full and cached. */
  offload?: "write-back" | "write-through";
  /** A preset (`pcie4`, the default, or `pcie5`) or the link itself. */
  link?: HostLinkName | { bytesPerS: number; latencyS: number };
  /**
   * `none` (default): a request waits for its whole prefix to load, as vLLM's offloading
   * connector; `layerwise`: its loads are pipelined layer by layer with its compute (docs/model.md).
   */
  loadOverlap?: LoadOverlap;
  /**
   * `recompute` (default): a preempted request's blocks are freed and computed again, vLLM v1's
   * only way; `swap`: they are copied to the host tier and back (vLLM v0's `PreemptionMode.SWAP`).
   */
  preemption?: Preemption;
  /**
   * `always` (default): a prefix found in the host is loaded; `if-faster`: only when loading it
   * and computing the rest is estimated to end sooner than computing it all (docs/model.md).
   */
  load?: HostLoad;
  /**
   * The block policy evicting the host tier's cached blocks (default: the GPU's `eviction`), with
   * its default parameters. `belady` reads the trace's future: a host copy's next use is its
   * content's (docs/model.md).
   */
  eviction?: string;
}

export type HostLoad = "always" | "if-faster";
export const HOST_LOADS: readonly HostLoad[] = ["always", "if-faster"];

export type Preemption = "recompute" | "swap";
export const PREEMPTIONS: readonly Preemption[] = ["recompute", "swap"];

export type LoadOverlap = "none" | "layerwise";
export const LOAD_OVERLAPS: readonly LoadOverlap[] = ["none", "layerwise"];

/** A link given as a preset's name or as GB/s each way (at the presets' per-transfer latency). */
export function hostLinkOf(given: HostLinkName | number): NonNullable<HostTierOptions["link"]> {
  return typeof given === "number" ? { bytesPerS: given * 1e9, latencyS: HOST_LINKS.pcie4.latencyS } : given;
}

/** A link as a user writes it: a preset's name, or GB/s each way in (0, 10000]; `field` names it in the error. */
export function parseHostLink(text: string, field: string): NonNullable<HostTierOptions["link"]> {
  if (Object.hasOwn(HOST_LINKS, text)) return text as HostLinkName;
  const gbps = Number(text);
  if (text.trim() === "" || !(gbps > 0 && gbps <= 10_000)) throw new KvsimInputError(`${field} must be ${Object.keys(HOST_LINKS).join(", ")} or GB/s in (0, 10000], got "${text}"`);
  return hostLinkOf(gbps);
}

/** What the summary says of the host tier (simulated). */
export interface HostTierSummary {
  blocks: number;
  offload: "write-back" | "write-through";
  loadOverlap: LoadOverlap;
  preemption: Preemption;
  load: HostLoad;
  /** The policy evicting the host tier's blocks (null: an engine config that left it to the GPU's, which `hostTierConfig` never does). */
  eviction: string | null;
  link: { bytesPerS: number; latencyS: number };
  /** Bytes of one block on one GPU (what its link carries for it). */
  blockBytes: number;
  /** Prompt tokens loaded from the host tier instead of computed (summed over admissions). */
  hitTokens: number;
  offloadedBlocks: number;
  loadedBlocks: number;
  /** Blocks copied down by swap preemptions, and back up as swapped requests resumed. */
  swappedOutBlocks: number;
  swappedInBlocks: number;
  /** Bytes each direction of the link carried: offloads and swap-outs down, loads and swap-ins up. */
  bytesToHost: number;
  bytesFromHost: number;
  /** Share of the run (first arrival to last completion) each direction of the link was busy. */
  toHostUtilization: number;
  fromHostUtilization: number;
}

/**
 * The engine's form of a host tier whose blocks hold `blockBytes` each on one GPU, for a model of
 * `layers` layers, below a GPU evicting by `gpuEviction`; checks the options.
 */
export function hostTierConfig(options: HostTierOptions, blockBytes: number, layers: number, gpuEviction: string): HostTierConfig {
  if (!Number.isInteger(options.blocks) || options.blocks < 1) throw new KvsimInputError(`host tier: blocks must be a positive integer, got ${options.blocks}`);
  const given = options.link ?? "pcie4";
  if (typeof given === "string" && !Object.hasOwn(HOST_LINKS, given)) throw new KvsimInputError(`host tier: unknown link "${given}" (${Object.keys(HOST_LINKS).join(", ")})`);
  const link = typeof given === "string" ? HOST_LINKS[given] : given;
  if (!(link.bytesPerS > 0) || !(link.latencyS >= 0)) throw new KvsimInputError("host tier: the link needs a positive bandwidth and a latency of at least 0");
  const overlap = options.loadOverlap ?? "none";
  if (!LOAD_OVERLAPS.includes(overlap)) throw new KvsimInputError(`host tier: loadOverlap must be ${LOAD_OVERLAPS.join(" or ")}, got "${String(overlap)}"`);
  const preemption = options.preemption ?? "recompute";
  if (!PREEMPTIONS.includes(preemption)) throw new KvsimInputError(`host tier: preemption must be ${PREEMPTIONS.join(" or ")}, got "${String(preemption)}"`);
  const load = options.load ?? "always";
  if (!HOST_LOADS.includes(load)) throw new KvsimInputError(`host tier: load must be ${HOST_LOADS.join(" or ")}, got "${String(load)}"`);
  // Unset, the GPU's policy evicts the host tier too, whatever it is (the engine then runs one instance for both).
  const eviction = blockEviction(options.eviction ?? gpuEviction, {}, options.eviction === undefined ? "eviction" : "host tier: eviction");
  return {
    blocks: options.blocks, blockBytes, linkBytesPerS: link.bytesPerS, linkLatencyS: link.latencyS,
    offload: options.offload === "write-through" ? TimedOffload.whenFull : TimedOffload.onEviction,
    loadLayers: overlap === "layerwise" ? layers : 0, swapPreemption: preemption === "swap", loadIfFaster: load === "if-faster", eviction,
  };
}

/** The summary's host tier from the engine's counters over a run `spanS` long. */
export function hostTierSummary(config: HostTierConfig, counters: HostTierCounters, hitTokens: number, spanS: number): HostTierSummary {
  return {
    blocks: config.blocks, offload: config.offload === TimedOffload.whenFull ? "write-through" : "write-back", loadOverlap: config.loadLayers > 0 ? "layerwise" : "none",
    preemption: config.swapPreemption ? "swap" : "recompute", load: config.loadIfFaster ? "if-faster" : "always",
    eviction: config.eviction?.policy.name ?? null,
    link: { bytesPerS: config.linkBytesPerS, latencyS: config.linkLatencyS }, blockBytes: config.blockBytes, hitTokens,
    offloadedBlocks: counters.offloadedBlocks, loadedBlocks: counters.loadedBlocks,
    swappedOutBlocks: counters.swappedOutBlocks, swappedInBlocks: counters.swappedInBlocks,
    bytesToHost: (counters.offloadedBlocks + counters.swappedOutBlocks) * config.blockBytes,
    bytesFromHost: (counters.loadedBlocks + counters.swappedInBlocks) * config.blockBytes,
    toHostUtilization: counters.toHostBusyS / spanS, fromHostUtilization: counters.fromHostBusyS / spanS,
  };
}
