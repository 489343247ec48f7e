import { resolveWorkloadParams, workloadInfo } from "../workloads/registry.js";
import { HttpError } from "./sessions.js";

/** How big a generated workload a client may ask for (`kvsim serve --max-accesses`, `--max-pages`). */
export interface WorkloadLimits {
  maxAccesses: number;
  maxPages: number;
}

/**
 * Checks a generated workload's size against the server's limits from its parameters, before any
 * of it is built: a client's request must not hold the server (and its memory) for seconds.
 */
export function checkWorkloadSize(name: string, params: Record<string, unknown>, limits: WorkloadLimits, where: string): void {
  const resolved = resolveWorkloadParams(workloadInfo(name), params);
  const accesses = resolved["length"] ?? 0;
  const pages = resolved["pages"] ?? resolved["num_pages"] ?? 0;
  if (accesses > limits.maxAccesses) throw new HttpError(413, "workload_too_large", `${where}: at most ${limits.maxAccesses} accesses per workload, asked for ${accesses}`);
  if (pages > limits.maxPages) throw new HttpError(413, "workload_too_large", `${where}: at most ${limits.maxPages} pages per workload, asked for ${pages}`);
}
