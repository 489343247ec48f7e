import { join } from "node:path";
import { Command, Option } from "commander";
import { resolveScenario } from "../hierarchy/load-scenario.js";
import { POLICIES, PROFILES, type Profile } from "../policies/registry.js";
import { recordsToCsv } from "../report/records-csv.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { runRecord, type RunRecord } from "../run-record.js";
import { generateWorkload, KHL_DEFAULT_WORKLOADS } from "../workloads/registry.js";
import { fixed, table } from "./format.js";
import { parseNonNegativeInt } from "./options.js";

interface CompareOptions {
  scenario: string[];
  workload: string[];
  policy?: string[];
  profile: Profile;
  seed: number;
  out: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function compareCommand(): Command {
  return new Command("compare")
    .description("compare policies on built-in workloads: prints hit rate and latency tables, writes results.jsonl/.csv")
    .option("--scenario <name|file>", "scenario, repeatable", collect)
    .option("--workload <name>", "workload with default parameters, repeatable", collect)
    .option("--policy <name>", "policy with default parameters, repeatable (default: every policy of the profile)", collect)
    .addOption(new Option("--profile <profile>", "simulation profile").choices([...PROFILES]).default("kvsim"))
    .option("--seed <n>", "seed for random choices", parseNonNegativeInt("--seed"), 0)
    .option("--out <dir>", "artifact directory", "artifacts/compare")
    .action((opts: CompareOptions) => {
      const scenarios = (opts.scenario ?? ["small_fp16_prefetch", "constrained_fp16_prefetch"]).map(resolveScenario);
      const workloads = (opts.workload ?? [...KHL_DEFAULT_WORKLOADS]).map((w) => generateWorkload(w));
      const policies = opts.policy ?? POLICIES.filter((p) => p.profiles.includes(opts.profile)).map((p) => p.name);
      const records: RunRecord[] = [];
      for (const scenario of scenarios) {
        for (const trace of workloads) {
          for (const policy of policies) {
            records.push(runRecord({ scenario, trace, policy, profile: opts.profile, seed: opts.seed }));
          }
        }
      }
      for (const scenario of scenarios) {
        const rows = records.filter((r) => r.scenario === scenario.name);
        console.log(`\n${scenario.name} (profile ${opts.profile}) — simulated hit rate % / avg latency ms`);
        console.log(table(["workload", ...policies], workloads.map((w) => [w.name, ...policies.map((p) => {
          const m = rows.find((r) => r.workload === w.name && r.policy === p)!.metrics;
          return `${(100 * m.hitRate).toFixed(1)} / ${fixed(3)(m.avgLatencyMs)}`;
        })])));
      }
      writeFileAtomic(join(opts.out, "results.jsonl"), records.map((r) => JSON.stringify(r)).join("\n") + "\n");
      writeFileAtomic(join(opts.out, "results.csv"), recordsToCsv(records));
      console.log(`\n${records.length} runs. Wrote ${join(opts.out, "results.jsonl")} and ${join(opts.out, "results.csv")}`);
    });
}
