import { readFileSync } from "node:fs";

/**
 * This process's peak RSS in bytes, for a bench's child process. Linux's VmHWM is this process's
 * own; getrusage's `maxRSS` also counts the parent's memory at the spawn (Linux carries it across
 * exec), so a bench holding a large trace would see its own size as every child's peak.
 */
export function peakRssBytes(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux: getrusage is all there is.
  }
  return process.resourceUsage().maxRSS * 1024;
}
