import { Command } from "commander";
import { runEpisode } from "../agents/agent.js";
import { AGENTS, makeAgent } from "../agents/registry.js";
import { envIds, envSpec, makeDiscrete } from "../envs/registry.js";
import { SERVING_CACHE_POLICIES, ServingEnv, servingCachePolicy } from "../envs/serving/serving-env.js";
import { stat } from "../sweep/summary.js";
import { readMooncakeTrace } from "../traces/formats/mooncake.js";
import { KvsimInputError } from "../errors.js";
import { collectKeyValue, parseIntInRange, parseSeed } from "./options.js";

interface EpisodeOptions {
  env?: string;
  agent: string;
  seed: number;
  episodes: number;
  weights?: string;
  trace?: string;
  tickMs?: number;
  cachePolicy?: string;
  cacheParam: Record<string, string>;
  json?: boolean;
}

export function episodeCommand(): Command {
  return new Command("episode")
    .description("play episodes of an environment with an agent; print returns and scores (simulated)")
    .option("--env <id>", `environment id (${envIds("discrete").join(", ")}; kvsim/Serving-trace-v0 with --trace)`)
    .option("--agent <name>", `agent (${AGENTS.map((a) => a.name).join(", ")})`, "random")
    .option("--seed <n>", "seed of the first episode (episode k uses seed + k)", parseSeed("--seed"), 2026)
    .option("--episodes <n>", "number of episodes; more than one adds mean ± std", parseIntInRange("--episodes", 1, 100_000), 1)
    .option("--weights <file>", "trained weights (dqn, qlearning)")
    .option("--trace <file>", "replay a Mooncake request trace as the traffic (env kvsim/Serving-trace-v0)")
    .option("--tick-ms <ms>", "with --trace: milliseconds per tick (default 100)", parseIntInRange("--tick-ms", 1, 3_600_000))
    .option("--cache-policy <name>", `kvsim/Serving-{easy,medium,hard}-v0 and --trace: which free cached block the pool gives up first (${SERVING_CACHE_POLICIES.join(", ")}; default lru)`)
    .option("--cache-param <k=v>", "with --cache-policy: one of its parameters, repeatable (e.g. small_ratio=0.2 for s3fifo)", collectKeyValue, {})
    .option("--json", "print JSON")
    .action(async (opts: EpisodeOptions) => {
      if (opts.episodes < 1) throw new KvsimInputError("--episodes must be at least 1");
      if (opts.env === undefined && opts.trace === undefined) throw new KvsimInputError("give --env ID or --trace FILE");
      if (opts.trace !== undefined && opts.env !== undefined && opts.env !== "kvsim/Serving-trace-v0") {
        throw new KvsimInputError(`--trace is played by kvsim/Serving-trace-v0, not ${opts.env}: drop --env`);
      }
      if (opts.tickMs !== undefined && opts.trace === undefined) throw new KvsimInputError("--tick-ms paces a --trace; give one, or drop --tick-ms");
      const cacheParamsGiven = Object.keys(opts.cacheParam).length > 0;
      if (cacheParamsGiven && opts.cachePolicy === undefined) throw new KvsimInputError("--cache-param: give --cache-policy too");
      const cachePolicy = opts.cachePolicy;
      const eviction = cachePolicy === undefined ? undefined : servingCachePolicy(cachePolicy, opts.cacheParam, "--cache-policy");
      if (cachePolicy !== undefined && opts.env && !("cachePolicy" in envSpec(opts.env).options)) {
        throw new KvsimInputError(`--cache-policy: ${opts.env} has no cache policy to choose (kvsim/Serving-{easy,medium,hard}-v0 and --trace have)`);
      }
      const cache = eviction ? { cachePolicy, cachePolicyParams: eviction.params } : {};
      const env = opts.trace
        ? new ServingEnv({ task: "medium", trace: await readMooncakeTrace(opts.trace), tickMs: opts.tickMs ?? 100, ...cache })
        : makeDiscrete(opts.env!, cache);
      opts.env = env.id;
      const agent = makeAgent(opts.agent, env, { weights: opts.weights });
      const score = (): number | undefined => ("score" in env && typeof env.score === "function" ? (env.score as () => number).call(env) : undefined);
      const episodes = Array.from({ length: opts.episodes }, (_, k) => {
        const seed = opts.seed + k;
        return { seed, ...runEpisode(env, agent, seed), score: score() };
      });
      if (episodes.length === 1) {
        const e = episodes[0]!;
        if (opts.json) console.log(JSON.stringify({ env: opts.env, agent: opts.agent, ...e }));
        else console.log(`${opts.env}, agent ${opts.agent}, seed ${e.seed}: ${e.steps} steps, return ${e.return.toFixed(3)}` +
          `${e.score !== undefined ? `, score ${e.score.toFixed(4)}` : ""}${e.terminated ? " (terminated)" : " (time limit)"}`);
        return;
      }
      const summary = {
        return: stat(episodes.map((e) => e.return)),
        score: episodes[0]!.score !== undefined ? stat(episodes.map((e) => e.score!)) : undefined,
        terminated: episodes.filter((e) => e.terminated).length,
      };
      if (opts.json) {
        console.log(JSON.stringify({ env: opts.env, agent: opts.agent, episodes, summary }));
        return;
      }
      const pm = (s: { mean: number; std?: number }, digits: number) => `${s.mean.toFixed(digits)} ± ${(s.std ?? 0).toFixed(digits)}`;
      console.log(`${opts.env}, agent ${opts.agent}, seeds ${opts.seed}–${opts.seed + opts.episodes - 1}: ` +
        `score ${summary.score ? pm(summary.score, 4) : "–"}, return ${pm(summary.return, 1)}, ${summary.terminated}/${episodes.length} terminated`);
    });
}
