import { Command, Option } from "commander";
import { KvsimInputError } from "../errors.js";
import { POLICIES } from "../policies/registry.js";
import { prefixReplay } from "../serving/prefix-replay.js";
import { readMooncakeTrace } from "../traces/formats/mooncake.js";
import { collectKeyValue, parseSeed } from "./options.js";

interface PrefixReplayCliOptions {
  trace: string;
  format: "mooncake";
  capacityBlocks: string;
  policy: string;
  param?: Record<string, string>;
  seed: number;
  json?: boolean;
}

function parseCapacity(value: string): number | "unbounded" {
  if (value === "unbounded") return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new KvsimInputError(`--capacity-blocks must be a positive integer or "unbounded", got "${value}"`);
  return n;
}

export function prefixReplayCommand(): Command {
  return new Command("prefix-replay")
    .description("replay a request trace through a prefix cache of N blocks and report the prefix hit rate (Mooncake FAST'25 Fig. 9; simulated)")
    .requiredOption("--trace <file>", "request trace (Mooncake JSONL: timestamp, input_length, output_length, hash_ids)")
    .addOption(new Option("--format <format>", "trace format").choices(["mooncake"]).default("mooncake"))
    .requiredOption("--capacity-blocks <n|unbounded>", "cache capacity in blocks")
    .option("--policy <name>", `eviction policy (${POLICIES.filter((p) => p.profiles.includes("kvsim")).map((p) => p.name).join(", ")})`, "lru")
    .option("--param <k=v>", "policy parameter, repeatable", collectKeyValue)
    .option("--seed <n>", "seed for random choices", parseSeed("--seed"), 0)
    .option("--json", "print { requests, blocks, hitBlocks, hitRate } as JSON")
    .addHelpText("after", `
A request's hit blocks are the longest prefix of its hash_ids all cached before it runs; then each of
its blocks is touched (cached) or inserted (missing), evicting by the policy beyond the capacity.

Example:
  kvsim prefix-replay --trace synthetic_trace.jsonl --capacity-blocks 6000 --policy lru --json`)
    .action(async (opts: PrefixReplayCliOptions) => {
      const capacityBlocks = parseCapacity(opts.capacityBlocks);
      const trace = await readMooncakeTrace(opts.trace);
      const r = prefixReplay({ trace, capacityBlocks, policy: opts.policy, params: opts.param, seed: opts.seed });
      if (opts.json) {
        console.log(JSON.stringify({ requests: r.requests, blocks: r.blocks, hitBlocks: r.hitBlocks, hitRate: r.hitRate }));
        return;
      }
      console.log(`${opts.trace}: ${r.requests} requests, ${r.blocks} prompt blocks (${trace.numBlocks} distinct)`);
      console.log(`policy ${opts.policy}, capacity ${capacityBlocks} blocks: prefix hit rate ${(100 * r.hitRate).toFixed(2)}% ` +
        `(${r.hitBlocks} blocks reused, ${r.evictions} evictions) — simulated`);
    });
}
