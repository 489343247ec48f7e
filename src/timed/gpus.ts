import { KvsimInputError } from "../errors.js";

/**
 * An accelerator as the timed serving simulator costs it: vendor datasheet figures, cited in
 * docs/timed.md. Memory is the datasheet's "GB" read as GiB, as Vidur's memory planner does
 * (`total_memory_gb × 1024³`); what a driver reports is a little less, so `memoryBytes` can be
 * overridden.
 */
export interface GpuSpec {
  name: string;
  memoryBytes: number;
  /** Peak dense (no sparsity) FP16 / BF16 tensor throughput, FLOP/s. */
  denseFlops: number;
  /** HBM (or GDDR) bandwidth, bytes/s. */
  memoryBandwidth: number;
  /** GPU-to-GPU bandwidth per direction for tensor parallelism (NVLink; PCIe where there is none), bytes/s. */
  peerBandwidth: number;
  /** Host link (PCIe) bandwidth per direction, bytes/s: KV offload to CPU memory. */
  hostBandwidth: number;
  source: string;
}

const GiB = 1024 ** 3;
const T = 1e12;
const G = 1e9;

export const GPUS: readonly GpuSpec[] = [
  {
    name: "a100-80gb", memoryBytes: 80 * GiB, denseFlops: 312 * T, memoryBandwidth: 2039 * G, peerBandwidth: 300 * G, hostBandwidth: 32 * G,
    source: "NVIDIA A100 Tensor Core GPU datasheet (SXM 80GB: BF16 312 TFLOPS dense, HBM2e 2,039 GB/s, NVLink 600 GB/s, PCIe Gen4 64 GB/s)",
  },
  {
    name: "h100-sxm", memoryBytes: 80 * GiB, denseFlops: 989 * T, memoryBandwidth: 3350 * G, peerBandwidth: 450 * G, hostBandwidth: 64 * G,
    source: "NVIDIA H100 Tensor Core GPU datasheet (SXM: BF16 1,979 TFLOPS with sparsity, 989 dense, HBM3 3.35 TB/s, NVLink 900 GB/s, PCIe Gen5 128 GB/s)",
  },
  {
    name: "h200", memoryBytes: 141 * GiB, denseFlops: 989 * T, memoryBandwidth: 4800 * G, peerBandwidth: 450 * G, hostBandwidth: 64 * G,
    source: "NVIDIA H200 Tensor Core GPU datasheet (SXM: 141 GB HBM3e, 4.8 TB/s, BF16 989 TFLOPS dense, NVLink 900 GB/s, PCIe Gen5 128 GB/s)",
  },
  {
    name: "l4", memoryBytes: 24 * GiB, denseFlops: 121 * T, memoryBandwidth: 300 * G, peerBandwidth: 32 * G, hostBandwidth: 32 * G,
    source: "NVIDIA L4 Tensor Core GPU datasheet (24 GB GDDR6, 300 GB/s, BF16 242 TFLOPS with sparsity, 121 dense, PCIe Gen4 x16 64 GB/s, no NVLink)",
  },
];

export function gpuPreset(name: string): GpuSpec {
  const g = GPUS.find((x) => x.name === name);
  if (!g) throw new KvsimInputError(`unknown GPU "${name}" (presets: ${GPUS.map((x) => x.name).join(", ")})`);
  return g;
}
