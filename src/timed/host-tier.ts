import { KvsimInputError } from "../errors.js";
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
}

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
  link: { bytesPerS: number; latencyS: number };
  /** Bytes of one block on one GPU (what its link carries for it). */
  blockBytes: number;
  /** Prompt tokens loaded from the host tier instead of computed (summed over admissions). */
  hitTokens: number;
  offloadedBlocks: number;
  loadedBlocks: number;
  bytesToHost: number;
  bytesFromHost: number;
  /** Share of the run (first arrival to last completion) each direction of the link was busy. */
  toHostUtilization: number;
  fromHostUtilization: number;
}

/** The engine's form of a host tier whose blocks hold `blockBytes` each on one GPU; checks the options. */
export function hostTierConfig(options: HostTierOptions, blockBytes: number): HostTierConfig {
  if (!Number.isInteger(options.blocks) || options.blocks < 1) throw new KvsimInputError(`host tier: blocks must be a positive integer, got ${options.blocks}`);
  const given = options.link ?? "pcie4";
  if (typeof given === "string" && !Object.hasOwn(HOST_LINKS, given)) throw new KvsimInputError(`host tier: unknown link "${given}" (${Object.keys(HOST_LINKS).join(", ")})`);
  const link = typeof given === "string" ? HOST_LINKS[given] : given;
  if (!(link.bytesPerS > 0) || !(link.latencyS >= 0)) throw new KvsimInputError("host tier: the link needs a positive bandwidth and a latency of at least 0");
  return {
    blocks: options.blocks, blockBytes, linkBytesPerS: link.bytesPerS, linkLatencyS: link.latencyS,
    offload: options.offload === "write-through" ? TimedOffload.whenFull : TimedOffload.onEviction,
  };
}

/** The summary's host tier from the engine's counters over a run `spanS` long. */
export function hostTierSummary(config: HostTierConfig, counters: HostTierCounters, hitTokens: number, spanS: number): HostTierSummary {
  return {
    blocks: config.blocks, offload: config.offload === TimedOffload.whenFull ? "write-through" : "write-back",
    link: { bytesPerS: config.linkBytesPerS, latencyS: config.linkLatencyS }, blockBytes: config.blockBytes, hitTokens,
    offloadedBlocks: counters.offloadedBlocks, loadedBlocks: counters.loadedBlocks,
    bytesToHost: counters.offloadedBlocks * config.blockBytes, bytesFromHost: counters.loadedBlocks * config.blockBytes,
    toHostUtilization: counters.toHostBusyS / spanS, fromHostUtilization: counters.fromHostBusyS / spanS,
  };
}
