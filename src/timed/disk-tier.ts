import { KvsimInputError } from "../errors.js";
import { blockEviction, type BlockEviction } from "../wasm/block-eviction.js";
import { TimedOffload, type DiskTierConfig, type HostTierCounters } from "../wasm/timed.js";
import { checkedLink, parseLink, presetLink, type LinkSpec } from "./links.js";

/** The host–disk link: reads come up disk → host, writes go down host → disk. */
export interface DiskLink {
  read: LinkSpec;
  write: LinkSpec;
}

/**
 * Links between host memory and a disk tier below it, each direction its own (docs/model.md gives
 * the sources): NVMe SSDs near their PCIe x4 interface's 7.9 (Gen4) or 15.8 GB/s (Gen5) on reads
 * and slower on writes, with the page hierarchy's NVMe latencies; a remote store over RDMA at
 * about 94% of the NIC's line rate (Mooncake's transfer engine reaches ~47 GB/s on 400 Gb/s), its
 * latency kvsim's assumption for a store's lookup and one RDMA read.
 */
/** An NVMe SSD reading and writing at these GB/s, with the page hierarchy's NVMe latencies (80 µs per read, 30 µs per write). */
const nvme = (readGbps: number, writeGbps: number, pcie: string) => ({
  read: { bytesPerS: readGbps * 1e9, latencyS: 80e-6 }, write: { bytesPerS: writeGbps * 1e9, latencyS: 30e-6 },
  summary: `PCIe ${pcie} NVMe SSD: reads ${readGbps} GB/s, 80 µs per transfer; writes ${writeGbps} GB/s, 30 µs`,
});

/** A remote store over an RDMA NIC of `gbit` Gb/s, reached at `gbps` GB/s each way, 20 µs per transfer. */
const rdma = (gbit: number, gbps: number, basis: string) => ({
  read: { bytesPerS: gbps * 1e9, latencyS: 20e-6 }, write: { bytesPerS: gbps * 1e9, latencyS: 20e-6 },
  summary: `a remote store over ${gbit} Gb/s RDMA: ${gbps} GB/s each way (${basis}), 20 µs per transfer`,
});

export const DISK_LINKS = {
  nvme4: nvme(7, 5, "4.0"),
  nvme5: nvme(13, 9, "5.0"),
  rdma100: rdma(100, 11.75, "94% of 12.5 GB/s"),
  rdma400: rdma(400, 47, "Mooncake's transfer engine"),
} as const satisfies Record<string, DiskLink & { summary: string }>;

export type DiskLinkName = keyof typeof DISK_LINKS;
export const DISK_LINK_NAMES = Object.keys(DISK_LINKS) as DiskLinkName[];

/** A disk tier as a run asks for it (`hostTier.disk`): its blocks, when blocks are copied there, its link and its eviction. */
export interface DiskTierOptions {
  /** Blocks of the disk tier, of the GPU's block size. */
  blocks: number;
  /** A preset (`nvme4`, the default, `nvme5`, `rdma100`, `rdma400`), one link for both directions, or each direction's. */
  link?: DiskLinkName | LinkSpec | DiskLink;
  /** `write-back`: a block is copied when the host tier evicts it (default); `write-through`: as soon as it enters the host tier. */
  offload?: "write-back" | "write-through";
  /** The block policy evicting the disk tier's blocks (default: the host tier's), with its default parameters; belady reads the trace's future. */
  eviction?: string;
  /**
   * Fleets only: one store of `blocks` blocks that every instance reads and writes (a remote store:
   * Mooncake Store, LMCache's remote backend), instead of a disk tier per instance; each instance
   * reaches it over its own link (docs/model.md).
   */
  shared?: boolean;
}

/** A link given as a preset's name or as GB/s both ways (at the default preset's latencies). */
export function diskLinkOf(given: DiskLinkName | number): NonNullable<DiskTierOptions["link"]> {
  if (typeof given !== "number") return given;
  const { read, write } = DISK_LINKS.nvme4;
  return { read: { bytesPerS: given * 1e9, latencyS: read.latencyS }, write: { bytesPerS: given * 1e9, latencyS: write.latencyS } };
}

/** A disk link as a user writes it: a preset's name, or GB/s both ways in (0, 10000]; `field` names it in the error. */
export function parseDiskLink(text: string, field: string): NonNullable<DiskTierOptions["link"]> {
  return parseLink(text, field, DISK_LINKS, diskLinkOf);
}

/** The engine's form of a disk tier below a host tier evicting by `hostEviction`; checks the options. */
export function diskTierConfig(options: DiskTierOptions, hostEviction: BlockEviction): DiskTierConfig {
  if (!Number.isInteger(options.blocks) || options.blocks < 1) throw new KvsimInputError(`disk tier: blocks must be a positive integer, got ${options.blocks}`);
  const given = options.link ?? "nvme4";
  const link: LinkSpec | DiskLink = typeof given === "string" ? presetLink(given, DISK_LINKS, "disk tier") : given;
  const both = "read" in link ? link : { read: link, write: link };
  const offload = options.offload ?? "write-back";
  if (offload !== "write-back" && offload !== "write-through") throw new KvsimInputError(`disk tier: offload must be write-back or write-through, got "${String(offload)}"`);
  return {
    blocks: options.blocks, offload: offload === "write-through" ? TimedOffload.whenFull : TimedOffload.onEviction,
    read: checkedLink(both.read, "disk tier"), write: checkedLink(both.write, "disk tier"),
    eviction: options.eviction === undefined ? hostEviction : blockEviction(options.eviction, {}, "disk tier: eviction"),
    ...(options.shared ? { shared: true } : {}),
  };
}

/** What the summary says of the disk tier (simulated). */
export interface DiskTierSummary {
  blocks: number;
  offload: "write-back" | "write-through";
  /** The policy evicting the disk tier's blocks (null: an engine config that left it to the host's, which `diskTierConfig` never does). */
  eviction: string | null;
  /** One store the fleet's instances share (`blocks` is its capacity), not one per instance. */
  shared: boolean;
  link: DiskLink;
  /** Prompt tokens loaded from the disk tier (through the host) instead of computed, summed over admissions. */
  hitTokens: number;
  /** Blocks copied host → disk; read disk → host for loads; and of those, kept cached in the host tier. */
  offloadedBlocks: number;
  loadedBlocks: number;
  stagedBlocks: number;
  /** Bytes each direction of the host–disk link carried: offloads down, loads up. */
  bytesToDisk: number;
  bytesFromDisk: number;
  /** Share of the run (first arrival to last completion) each direction of the link was busy. */
  toDiskUtilization: number;
  fromDiskUtilization: number;
}

/** The summary's disk tier from the engine's counters over a run `spanS` long, its blocks `blockBytes` each. */
export function diskTierSummary(config: DiskTierConfig, counters: HostTierCounters, blockBytes: number, hitTokens: number, spanS: number): DiskTierSummary {
  return {
    blocks: config.blocks, offload: config.offload === TimedOffload.whenFull ? "write-through" : "write-back", eviction: config.eviction?.policy.name ?? null, shared: config.shared ?? false,
    link: { read: { ...config.read }, write: { ...config.write } }, hitTokens,
    offloadedBlocks: counters.diskOffloadedBlocks, loadedBlocks: counters.diskLoadedBlocks, stagedBlocks: counters.stagedBlocks,
    bytesToDisk: counters.diskOffloadedBlocks * blockBytes, bytesFromDisk: counters.diskLoadedBlocks * blockBytes,
    toDiskUtilization: counters.toDiskBusyS / spanS, fromDiskUtilization: counters.fromDiskBusyS / spanS,
  };
}
