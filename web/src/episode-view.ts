import { byId, download, fillSelect, showError } from "./dom.js";
import { AGENTS, envIds, makeDiscrete, makeAgent, type Agent, type BoxSpace, type Env } from "./kvsim.js";
import { playground } from "./state.js";
import { ServerEpisode } from "./server-episode.js";
import { EpisodeChart, type EpisodePlot } from "./episode-chart.js";

export interface EpisodeStep {
  t: number;
  action: number;
  actionLabel: string;
  reward: number;
  observation: number[];
  info: Record<string, unknown>;
}

export interface EpisodeRecord {
  env: string;
  agent: string;
  seed: number;
  mode: "local" | "server";
  steps: EpisodeStep[];
  return: number;
  done: boolean;
  terminated: boolean;
  truncated: boolean;
  /** The env's final score when it has one (kvsim/Serving and npa envs). */
  score?: number;
}

/** What one step needs, wherever the env runs. */
interface Runner {
  step(action: number): Promise<{ observation: number[]; reward: number; terminated: boolean; truncated: boolean; info: Record<string, unknown> }>;
  close(): void;
}

/** Gauges read from whichever observation layout the env has (kvsim/Serving or NeuralPagedAttention's). */
const GAUGES: { title: string; labels: string[] }[] = [
  { title: "GPU utilization", labels: ["gpu_used", "gpu_utilization_pct"] },
  { title: "CPU utilization", labels: ["cpu_used", "cpu_utilization_pct"] },
  { title: "Free queue", labels: ["free_queue", "total_free_req"] },
  { title: "VIP queue", labels: ["vip_queue", "total_vip_req"] },
  { title: "Running", labels: ["running"] },
  { title: "Swapped", labels: ["swapped"] },
];

let env: Env<number[], number> | undefined;
/** Every discrete env's observation is a labelled Box. */
const box = (): BoxSpace => env!.observationSpace as BoxSpace;
let agent: Agent | undefined;
let runner: Runner | undefined;
let record: EpisodeRecord | undefined;
let observation: number[] = [];
let playing = false;
/** Bumped by every Play, Pause and Reset: a play loop of an older generation stops. */
let generation = 0;
/** The three charts under the gauges, made when the view starts. */
let charts: { util: EpisodeChart; queue: EpisodeChart; reward: EpisodeChart } | undefined;
/** The weights file picked for a trained agent (dqn, qlearning). */
let weights: { name: string; text: string } | undefined;

const labelIndex = (label: string): number => (env ? box().labels?.indexOf(label) ?? -1 : -1);

function gaugeValue(labels: string[]): { value: number; fraction?: number } | undefined {
  for (const label of labels) {
    const i = labelIndex(label);
    if (i < 0) continue;
    const space = box();
    const lo = space.low[i]!;
    const hi = space.high[i]!;
    const value = observation[i]!;
    return { value, fraction: Number.isFinite(hi) && hi > lo ? (value - lo) / (hi - lo) : undefined };
  }
  return undefined;
}

/**
 * The y axis of the episode charts, by the first observation each plots: kvsim/Serving's and
 * NeuralPagedAttention's block use are shares in [0, 1], drawn in %; kvsim/Serving's queues are
 * shares of the queue's capacity, NeuralPagedAttention's count requests.
 */
const AXES: Record<string, { title: string; percent: boolean; domain?: [number, number] }> = {
  gpu_used: { title: "KV blocks in use (%)", percent: true, domain: [0, 100] },
  gpu_utilization_pct: { title: "KV blocks in use (%)", percent: true, domain: [0, 100] },
  free_queue: { title: "queued (% of queue capacity)", percent: true },
  total_free_req: { title: "queued requests", percent: false },
};

/** Two gauges' observations after each step, as one chart; undefined when the env has neither. */
function gaugePlot(gauges: typeof GAUGES, colors: string[]): EpisodePlot | undefined {
  const found = gauges.map((g) => g.labels.find((l) => labelIndex(l) >= 0));
  const axis = found[0] === undefined ? undefined : AXES[found[0]];
  if (!axis) return undefined;
  const series = gauges.flatMap((g, k) => {
    const i = found[k] === undefined ? -1 : labelIndex(found[k]!);
    return i < 0 ? [] : [{ name: g.title, color: colors[k]!, values: record!.steps.map((s) => s.observation[i]! * (axis.percent ? 100 : 1)) }];
  });
  return { yTitle: axis.title, series, ...(axis.domain ? { yDomain: axis.domain } : {}) };
}

function render(): void {
  if (!record || !env) return;
  byId("gauges").replaceChildren(...GAUGES.flatMap(({ title, labels }) => {
    const g = gaugeValue(labels);
    if (!g) return [];
    const div = document.createElement("div");
    div.className = "gauge";
    div.innerHTML = `<div class="muted">${title}</div><div class="value">${Number.isInteger(g.value) ? g.value : g.value.toFixed(3)}</div>` +
      (g.fraction !== undefined ? `<div class="bar"><div style="width:${(Math.min(1, Math.max(0, g.fraction)) * 100).toFixed(1)}%"></div></div>` : "");
    return [div];
  }));
  const last = record.steps[record.steps.length - 1];
  byId("episode-status").textContent = `${record.env} · ${record.agent} · seed ${record.seed} · ${record.mode} · step ${record.steps.length}` +
    (last ? ` · last action ${last.actionLabel} · reward ${last.reward.toFixed(4)}` : "") + ` · return ${record.return.toFixed(4)}` +
    (record.done ? ` · episode over${record.score !== undefined ? ` · score ${record.score.toFixed(4)}` : ""}` : "");
  const util = gaugePlot(GAUGES.slice(0, 2), ["#1f6feb", "#d97706"]);
  if (util) charts!.util.draw(util);
  const queues = gaugePlot(GAUGES.slice(2, 4), ["#16a34a", "#b42318"]);
  if (queues) charts!.queue.draw(queues);
  let sum = 0;
  charts!.reward.draw({ yTitle: "cumulative reward", series: [{ name: "return", color: "#7c3aed", values: record.steps.map((s) => (sum += s.reward)) }] });
  const labels = box().labels ?? [];
  const table = byId<HTMLTableElement>("observation-table");
  table.replaceChildren();
  const head = table.insertRow();
  for (const text of ["observation", "value"]) head.appendChild(document.createElement("th")).textContent = text;
  observation.forEach((v, i) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = labels[i] ?? String(i);
    // Four decimals, as the gauges: 0.41500000000000004 is float noise, not information.
    tr.insertCell().textContent = Number.isInteger(v) ? String(v) : v.toFixed(4);
  });
}

function localRunner(e: Env<number[], number>): Runner {
  return { step: async (action) => e.step(action), close: () => {} };
}

/** Ends play; a play loop still running sees the generation change and exits. */
function stopPlaying(): void {
  playing = false;
  generation++;
  byId("episode-play").textContent = "Play";
}

async function reset(): Promise<void> {
  stopPlaying();
  runner?.close();
  runner = undefined;
  record = undefined;
  const envId = byId<HTMLSelectElement>("env-id").value;
  const agentName = byId<HTMLSelectElement>("agent").value;
  const seedText = byId<HTMLInputElement>("episode-seed").value;
  const seed = Number(seedText);
  // Checked, never coerced: -5 or 1.5 would otherwise play some other seed without a word.
  if (seedText.trim() === "" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`seed: an integer from 0 to 4294967295, got "${seedText}"`);
  }
  const mode = byId<HTMLSelectElement>("episode-mode").value as "local" | "server";
  env = makeDiscrete(envId);
  // A weights file picked earlier stays loaded; only an agent that plays weights gets it.
  agent = makeAgent(agentName, env, weights && AGENTS.find((a) => a.name === agentName)?.needsWeights ? { weights } : {});
  agent.reset(seed);
  if (mode === "server") {
    // The vLLM-like scheduler reads the block pool directly; over the wire only the observation exists.
    if (agentName === "vllm") throw new Error(`agent "vllm" reads the env's internals and runs in the page only; pick another agent for server mode`);
    const remote = await ServerEpisode.open(envId, seed);
    runner = remote;
    observation = remote.observation;
  } else {
    observation = env.reset({ seed }).observation;
    runner = localRunner(env);
  }
  record = { env: envId, agent: agentName, seed, mode, steps: [], return: 0, done: false, terminated: false, truncated: false };
  playground.lastEpisode = record;
  document.body.dataset.episode = "ready";
  render();
}

async function stepOnce(): Promise<void> {
  if (!record || !runner || !agent || !env || record.done) return;
  const action = agent.act(observation);
  const r = await runner.step(action);
  observation = r.observation;
  record.steps.push({ t: record.steps.length, action, actionLabel: env.actionSpace.labels?.[action] ?? String(action), reward: r.reward, observation: r.observation, info: r.info });
  record.return += r.reward;
  if (r.terminated || r.truncated) {
    Object.assign(record, { done: true, terminated: r.terminated, truncated: r.truncated });
    // kvsim/Serving reports its score in info; the npa envs expose NeuralPagedAttention's as score().
    const score = typeof r.info["score"] === "number" ? r.info["score"]
      : record.mode === "local" && "score" in env && typeof env.score === "function" ? (env.score as () => number).call(env) : undefined;
    if (score !== undefined) record.score = score;
    document.body.dataset.episode = "done";
  }
}

async function play(): Promise<void> {
  const mine = ++generation;
  const perFrame = Math.max(1, Number(byId<HTMLInputElement>("episode-speed").value));
  while (mine === generation && record && !record.done) {
    for (let i = 0; i < perFrame && mine === generation && !record.done; i++) await stepOnce();
    render();
    await new Promise(requestAnimationFrame);
  }
  if (mine !== generation) return;
  playing = false;
  byId("episode-play").textContent = "Play";
  render();
}

function exportCsv(r: EpisodeRecord): string {
  const labels = (env ? box().labels : undefined) ?? r.steps[0]?.observation.map((_, i) => `obs${i}`) ?? [];
  const head = ["t", "action", "action_label", "reward", ...labels].join(",");
  return [head, ...r.steps.map((s) => [s.t, s.action, s.actionLabel, s.reward, ...s.observation].join(","))].join("\n") + "\n";
}

export function initEpisodeView(): void {
  fillSelect(byId<HTMLSelectElement>("env-id"), envIds("discrete"), "kvsim/Serving-medium-v0");
  const agentSelect = byId<HTMLSelectElement>("agent");
  fillSelect(agentSelect, AGENTS.map((a) => a.name), "vllm");
  const showWeights = () => (byId("weights-field").hidden = !AGENTS.find((a) => a.name === agentSelect.value)?.needsWeights);
  agentSelect.addEventListener("change", showWeights);
  showWeights();
  byId<HTMLInputElement>("agent-weights").addEventListener("change", async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    weights = file ? { name: file.name, text: await file.text() } : undefined;
  });
  const errorBox = byId("episode-error");
  const chart = (id: string) => new EpisodeChart(byId(id), (err) => showError(errorBox, err));
  charts = { util: chart("util-chart"), queue: chart("queue-chart"), reward: chart("reward-chart") };
  const guard = (fn: () => Promise<void>) => () => void fn().then(() => showError(errorBox, undefined), (err) => {
    stopPlaying();
    showError(errorBox, err);
  });
  byId("episode-reset").addEventListener("click", guard(reset));
  byId("episode-step").addEventListener("click", guard(async () => {
    if (!record) await reset();
    await stepOnce();
    render();
  }));
  byId("episode-play").addEventListener("click", guard(async () => {
    if (playing) {
      stopPlaying();
      return;
    }
    if (!record || record.done) await reset();
    playing = true;
    byId("episode-play").textContent = "Pause";
    await play();
  }));
  byId("episode-export-json").addEventListener("click", () => record && download(`episode-${record.seed}.json`, JSON.stringify(record) + "\n", "application/json"));
  byId("episode-export-csv").addEventListener("click", () => record && download(`episode-${record.seed}.csv`, exportCsv(record), "text/csv"));
}
