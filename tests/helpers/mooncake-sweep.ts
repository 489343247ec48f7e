import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { runCli } from "./cli.js";

/**
 * Serving sweeps of Mooncake's trace on Llama-3-8B and an H100 with 400 GPU blocks at 4 QPS, one
 * per call, each with its own scheduler entries, in a temporary directory removed after the test
 * file: what the tier tests vary is the entries (host and disk tiers, their policies and links),
 * and `fleet` adds a spec's fleet fields (instances, routers).
 */
export function mooncakeSweeps(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let runs = 0;
  return async (schedulers: unknown[], fleet: Record<string, unknown> = {}) => {
    const file = join(dir, `spec-${runs}.json`);
    const out = join(dir, `out-${runs++}`);
    writeFileSync(file, JSON.stringify({
      name: "tiers", kind: "serving", workloads: [{ trace: join(process.cwd(), "tests/fixtures/mooncake/synthetic_trace.jsonl"), label: "mooncake" }],
      deployments: [{ model: "llama-3-8b", gpu: "h100-sxm" }], schedulers, kvBlocks: [400], qps: [4], ...fleet,
    }));
    const r = await runCli(["sweep", file, "--out", out]);
    /** The rows of results.jsonl, when the sweep ran. */
    const rows = () => readFileSync(join(out, "results.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { scheduler: string; metrics: Record<string, number> });
    return { ...r, rows };
  };
}
