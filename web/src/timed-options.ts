import { byId, fillSelect } from "./dom.js";
import { integerField, positiveField } from "./form-fields.js";
import {
  CACHE_MODELS, GPUS, gpuPreset, HOST_LINKS, HOST_LOADS, LOAD_OVERLAPS, MAX_KV_BLOCKS, MODELS, modelPreset, parseHostLink, PREEMPTIONS, SCHEDULERS, BLOCK_POLICIES,
  type CacheModel, type HostLoad, type LoadOverlap, type Preemption, type SchedulerName, type SimulateServingOptions,
} from "./kvsim.js";

/** A run's deployment, scheduler, cache and SLOs: everything but the requests. */
export type TimedOptions = Omit<SimulateServingOptions, "requests">;

const select = (id: string): string => byId<HTMLSelectElement>(id).value;

/** Fills the form's lists from the simulator's own registries, so the page offers exactly what runs. */
export function initTimedOptions(): void {
  fillSelect(byId("timed-model"), MODELS.map((m) => m.name), "llama-3-8b");
  fillSelect(byId("timed-gpu"), GPUS.map((g) => g.name), "h100-sxm");
  fillSelect(byId("timed-scheduler"), SCHEDULERS, "vllm");
  fillSelect(byId("timed-eviction"), BLOCK_POLICIES, "lru");
  fillSelect(byId("timed-cache-model"), CACHE_MODELS, "vllm");
  fillSelect(byId("timed-load-overlap"), LOAD_OVERLAPS, "none");
  fillSelect(byId("timed-preemption"), PREEMPTIONS, "recompute");
  fillSelect(byId("timed-host-load"), HOST_LOADS, "always");
  byId("timed-host-eviction").append(...BLOCK_POLICIES.map((p) => new Option(p, p)));
  byId("timed-host-links").replaceChildren(...Object.entries(HOST_LINKS).map(([name, link]) => new Option(link.summary, name)));
  for (const id of ["timed-kv-blocks", "timed-host-blocks"]) byId<HTMLInputElement>(id).max = String(MAX_KV_BLOCKS);
}

/**
 * The options the form gives, as `kvsim serving simulate`'s flags give them: what only vllm has
 * (eviction, cache model, a host tier) goes with vllm only; the simulator checks the rest and
 * names what cannot run.
 */
export function timedOptionsFromForm(): TimedOptions {
  const scheduler = select("timed-scheduler") as SchedulerName;
  const vllm = scheduler === "vllm";
  const hostBlocks = vllm ? integerField("timed-host-blocks") : undefined;
  const ttftMs = positiveField("timed-slo-ttft");
  const tpotMs = positiveField("timed-slo-tpot");
  return {
    model: modelPreset(select("timed-model")), gpu: gpuPreset(select("timed-gpu")), tensorParallel: integerField("timed-tp") ?? 1, scheduler,
    kvBlocks: integerField("timed-kv-blocks"), blockSize: integerField("timed-block-size") ?? 16, maxNumSeqs: integerField("timed-max-num-seqs"),
    ...(vllm ? { eviction: select("timed-eviction"), cacheModel: select("timed-cache-model") as CacheModel } : {}),
    ...(hostBlocks !== undefined
      ? { hostTier: { blocks: hostBlocks, link: parseHostLink(byId<HTMLInputElement>("timed-host-link").value.trim(), "Host tier link"), offload: select("timed-offload") as "write-back" | "write-through",
        loadOverlap: select("timed-load-overlap") as LoadOverlap, preemption: select("timed-preemption") as Preemption,
        load: select("timed-host-load") as HostLoad, ...(select("timed-host-eviction") ? { eviction: select("timed-host-eviction") } : {}) } }
      : {}),
    slo: { ...(ttftMs !== undefined ? { ttftS: ttftMs / 1000 } : {}), ...(tpotMs !== undefined ? { tpotS: tpotMs / 1000 } : {}) },
  };
}
