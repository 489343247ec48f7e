import { Command, Option } from "commander";
import { DQN_DEFAULTS, trainDqn } from "../agents/dqn-train.js";
import { Q_DEFAULTS, trainQLearning } from "../agents/q-learning.js";
import { envIds, makeDiscrete } from "../envs/registry.js";
import { KvsimInputError } from "../errors.js";
import { learningCurveSvg } from "../report/learning-curve.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { parseIntInRange, parseSeed } from "./options.js";
import { checkOutputFile } from "./outputs.js";

interface TrainOptions {
  agent: "dqn" | "qlearning";
  env: string;
  steps: number;
  seed: number;
  out: string;
  curve?: string;
  hidden: string;
  qNetwork: "joint" | "per-action";
  json?: boolean;
}

export function trainCommand(): Command {
  return new Command("train")
    .description("train an agent on an environment and write its weights (JSON, loadable in Node and browsers)")
    .addOption(new Option("--agent <name>", "learner").choices(["dqn", "qlearning"]).default("dqn"))
    .requiredOption("--env <id>", `environment id (${envIds("discrete").join(", ")})`)
    .option("--steps <n>", "environment steps", parseIntInRange("--steps", 1, 1_000_000_000), 60_000)
    .option("--seed <n>", "seed of every random choice (weights, exploration, replay, episodes)", parseSeed("--seed"), 0)
    .option("--hidden <sizes>", "dqn: hidden layer sizes, comma-separated", "64,64")
    .addOption(new Option("--q-network <shape>", "dqn: one network over the whole observation (joint), or one scoring each action from its own features with shared weights (per-action; envs whose observation has a block per action, such as kvsim/Fleet-route-v0)").choices(["joint", "per-action"]).default("joint"))
    .requiredOption("--out <file>", "weights JSON to write")
    .option("--curve <file.svg>", "also write the learning curve (score per training episode) as SVG")
    .option("--json", "print {agent, env, steps, episodes, seconds, out, curve}; training progress still goes to stderr")
    .action(async (opts: TrainOptions) => {
      const hidden = opts.hidden.split(",").map(Number);
      if (hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new KvsimInputError(`--hidden must be positive integers like 64,64, got "${opts.hidden}"`);
      checkOutputFile(opts.out, "--out");
      if (opts.curve) checkOutputFile(opts.curve, "--curve");
      // The Q-table's states are built from the serving envs' observation (q-learning.ts, `discretize`).
      if (opts.agent === "qlearning" && !opts.env.startsWith("kvsim/Serving-")) {
        throw new KvsimInputError(`--agent qlearning reads the kvsim/Serving-* observations; train ${opts.env} with --agent dqn`);
      }
      const env = makeDiscrete(opts.env);
      if (!("score" in env)) throw new KvsimInputError(`${opts.env} has no score to train against`);
      const started = performance.now();
      const scored = env as typeof env & { score(): number };
      const report = (episode: number, step: number, score?: number) =>
        process.stderr.write(`step ${step}/${opts.steps}: episode ${episode} score ${score?.toFixed(4)}\n`);
      const file = opts.agent === "dqn"
        ? await trainDqn(scored, opts.env, { ...DQN_DEFAULTS, hidden, qNetwork: opts.qNetwork, steps: opts.steps, seed: opts.seed }, (p) => report(p.episodes, p.step, p.lastScore))
        : trainQLearning(scored, opts.env, { ...Q_DEFAULTS, steps: opts.steps, seed: opts.seed }, (e, step, score) => report(e + 1, step, score));
      writeFileAtomic(opts.out, JSON.stringify(file) + "\n");
      if (opts.curve) writeFileAtomic(opts.curve, await learningCurveSvg(`${opts.agent} on ${opts.env} (simulated)`, file.curve));
      const seconds = (performance.now() - started) / 1000;
      if (opts.json) {
        console.log(JSON.stringify({ agent: opts.agent, env: opts.env, steps: opts.steps, episodes: file.curve.length, seconds, out: opts.out, curve: opts.curve ?? null }));
        return;
      }
      console.log(`trained ${opts.agent} on ${opts.env} for ${opts.steps} steps (${file.curve.length} episodes) in ${seconds.toFixed(1)} s; wrote ${opts.out}` +
        (opts.curve ? ` and ${opts.curve}` : ""));
    });
}
