import { Command } from "commander";
import { SCENARIO_PRESETS } from "../hierarchy/presets.js";
import { AGENTS } from "../agents/registry.js";
import { AGENTIC_POLICIES } from "../envs/agentic/policies/registry.js";
import { ENVS, type EnvSpec } from "../envs/registry.js";
import { POLICIES } from "../policies/registry.js";
import { WORKLOADS } from "../workloads/registry.js";
import type { ParamSpec } from "../params.js";

/** Each parameter's default and, in brackets, its valid range (what `--param` is checked against). */
const paramList = (params: readonly ParamSpec[]): string =>
  params.length ? params.map((p) => `${p.name}=${p.default} [${p.min}…${p.max ?? "∞"}${p.integer ? ", integer" : ""}]`).join(" ") : "-";

export function policiesCommand(): Command {
  return new Command("policies")
    .description("list the eviction policies, their parameters and defaults")
    .option("--json", "machine-readable output")
    .action((opts: { json?: boolean }) => {
      if (opts.json) return console.log(JSON.stringify(POLICIES, null, 2));
      for (const p of POLICIES) {
        console.log(`${p.name.padEnd(17)} ${p.summary}`);
        console.log(`${"".padEnd(17)} params: ${paramList(p.params)}; profiles: ${p.profiles.join(", ")}`);
        console.log(`${"".padEnd(17)} victim search (kvsim): ${p.victimSearch}; source: ${p.source}`);
      }
    });
}

export function workloadsCommand(): Command {
  return new Command("workloads")
    .description("list the built-in synthetic workloads and their parameters")
    .option("--json", "machine-readable output")
    .action((opts: { json?: boolean }) => {
      if (opts.json) return console.log(JSON.stringify(WORKLOADS.map(({ generate: _g, ...w }) => w), null, 2));
      for (const w of WORKLOADS) console.log(`${w.name.padEnd(21)} ${w.summary}\n${"".padEnd(21)} params: ${paramList(w.params)}`);
    });
}

export function scenariosCommand(): Command {
  return new Command("scenarios")
    .description("list the scenario presets")
    .option("--json", "print the presets as scenario JSON")
    .action((opts: { json?: boolean }) => {
      if (opts.json) return console.log(JSON.stringify(Object.values(SCENARIO_PRESETS), null, 2));
      for (const s of Object.values(SCENARIO_PRESETS)) {
        console.log(`${s.name.padEnd(26)} ${s.tiers.length} tiers, ${s.quantization}, prefetch ${s.prefetch.enabled ? "on" : "off"} — ${s.notes ?? ""}`);
      }
    });
}

export function envsCommand(): Command {
  return new Command("envs")
    .description("list the environments, the agents that play the serving ones (kvsim episode) and the policies that play the agentic ones (kvsim eval)")
    .option("--json", "machine-readable output")
    .action((opts: { json?: boolean }) => {
      const listed = (kind: EnvSpec["kind"]) => ENVS.filter((e) => e.kind === kind).map(({ id, summary }) => ({ id, summary }));
      const serving = listed("discrete");
      const agentic = listed("tool-calling");
      const agents = AGENTS.map((a) => a.name);
      const policies = Object.keys(AGENTIC_POLICIES);
      if (opts.json) return console.log(JSON.stringify({ serving, agentic, agents, agenticPolicies: policies }, null, 2));
      for (const e of [...serving, ...agentic]) console.log(`${e.id.padEnd(28)} ${e.summary}`);
      console.log(`\nserving agents (kvsim episode --agent): ${agents.join(", ")}`);
      console.log(`agentic policies (kvsim eval --policy): ${policies.join(", ")}; or --model with any OpenAI-compatible API`);
    });
}
