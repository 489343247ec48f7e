import { makeAgent } from "../agents/registry.js";
import { ENVS, make } from "../envs/registry.js";
import { HttpError } from "./sessions.js";

/** Plays one episode of a discrete env with a built-in agent and records every step. */
export function runEpisodeTelemetry(envId: string, agentName: string, seed: number, maxSteps: number) {
  if (!ENVS.some((e) => e.id === envId)) throw new HttpError(404, "unknown_env", `no discrete environment "${envId}" for a headless episode (GET /api/envs)`);
  const env = make(envId);
  const agent = makeAgent(agentName, env);
  let { observation } = env.reset({ seed });
  agent.reset(seed);
  const steps: { t: number; action: number; reward: number; observation: number[]; info: Record<string, unknown> }[] = [];
  let total = 0;
  for (let t = 0; ; t++) {
    if (t >= maxSteps) throw new HttpError(413, "episode_too_long", `headless episodes may take at most ${maxSteps} steps`);
    const action = agent.act(observation);
    const r = env.step(action);
    total += r.reward;
    steps.push({ t, action, reward: r.reward, observation: r.observation, info: r.info });
    observation = r.observation;
    if (r.terminated || r.truncated) {
      const score = "score" in env && typeof env.score === "function" ? (env.score as () => number).call(env) : undefined;
      return { kind: "episode", env: envId, agent: agentName, seed, steps: steps.length, return: total, terminated: r.terminated, truncated: r.truncated, score, telemetry: steps };
    }
  }
}
