import { Command } from "commander";
import { makeAgent } from "../agents/registry.js";
import { runEpisode } from "../agents/agent.js";
import { ENVS, make } from "../envs/registry.js";
import { parseNonNegativeInt } from "./options.js";

interface EpisodeOptions {
  env: string;
  agent: string;
  seed: number;
  json?: boolean;
}

export function episodeCommand(): Command {
  return new Command("episode")
    .description("play one episode of an environment with an agent and print its return and score (simulated)")
    .requiredOption("--env <id>", `environment id (${ENVS.map((e) => e.id).join(", ")})`)
    .option("--agent <name>", "agent (random, idle)", "random")
    .option("--seed <n>", "episode seed", parseNonNegativeInt("--seed"), 2026)
    .option("--json", "print one JSON object")
    .action((opts: EpisodeOptions) => {
      const env = make(opts.env);
      const agent = makeAgent(opts.agent, env);
      const r = runEpisode(env, agent, opts.seed);
      const score = "score" in env && typeof env.score === "function" ? (env.score as () => number)() : undefined;
      const record = { env: opts.env, agent: opts.agent, seed: opts.seed, ...r, score };
      if (opts.json) console.log(JSON.stringify(record));
      else console.log(`${opts.env}, agent ${opts.agent}, seed ${opts.seed}: ${r.steps} steps, return ${r.return.toFixed(3)}` +
        `${score !== undefined ? `, score ${score.toFixed(4)}` : ""}${r.terminated ? " (terminated)" : r.truncated ? " (time limit)" : ""}`);
    });
}
