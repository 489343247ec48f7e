import { makeAgent } from "../agents/registry.js";
import { runEpisode } from "../agents/agent.js";
import { envIds, makeDiscrete } from "../envs/registry.js";
import { HttpError } from "./sessions.js";

/** Plays one episode of a discrete env with a built-in agent and records every step. */
export function runEpisodeTelemetry(envId: string, agentName: string, seed: number, maxSteps: number) {
  if (!envIds("discrete").includes(envId)) throw new HttpError(404, "unknown_env", `no discrete environment "${envId}" for a headless episode (GET /api/envs)`);
  const env = makeDiscrete(envId);
  const telemetry: { t: number; action: number; reward: number; observation: number[]; info: Record<string, unknown> }[] = [];
  const result = runEpisode(env, makeAgent(agentName, env), seed, {
    beforeStep: (t) => {
      if (t >= maxSteps) throw new HttpError(413, "episode_too_long", `headless episodes may take at most ${maxSteps} steps`);
    },
    onStep: (t, action, r) => telemetry.push({ t, action, reward: r.reward, observation: r.observation, info: r.info }),
  });
  const score = "score" in env && typeof env.score === "function" ? (env.score as () => number).call(env) : undefined;
  return { kind: "episode", env: envId, agent: agentName, seed, ...result, score, telemetry };
}
