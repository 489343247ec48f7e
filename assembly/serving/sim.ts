import * as pool from "../blocks/pool";
import { Stream, seedRng } from "../util/rng";
import { ServingAction, ServingCounter, ServingObservation, ServingInvariant, ServingTraceColumn, TrafficShape } from "../abi/serving";

/**
 * kvsim's serving environment (the default preset): request traffic on a paged block pool with
 * prefix caching. It keeps NeuralPagedAttention's task shapes (flat / wave / spike arrivals,
 * chatter and power users, VIP and free classes, returning users, SLAs) and fixes what is broken
 * there (docs/envs.md): a request is in exactly one place (queue, GPU, CPU, done); decode growth
 * that does not fit stalls instead of crashing; queue limits hold and dropped arrivals are counted;
 * traffic is drawn from its own streams, so every agent sees the same arrivals; returning users
 * resume their conversation, so their history is a cached prefix if the pool kept it; the episode
 * has exactly `maxTicks` steps and is truncated, never terminated; the score is SLO attainment
 * weighted by class, which doing nothing cannot earn.
 */

// Request states.
const FREE_SLOT: i32 = 0;
const QUEUED: i32 = 1;
const RUNNING: i32 = 2;
const SWAPPED: i32 = 3;

const VIP: i32 = 1;
const HASH_STRIDE: i64 = 65536; // block k of user u hashes to u·65536 + k (history is append-only)

// Configuration (setupServing).
let gpuBlocks: i32 = 0;
let cpuBlocks: i32 = 0;
let blockTokens: i32 = 16;
let maxTicks: i32 = 0;
let arrivalRates = new StaticArray<f64>(0); // arrivalRate(t) for every tick, computed at setup
let batchLimit: i32 = 12;
let tokensPerTick: i32 = 5;
let vipRatio: f64 = 0;
let powerRatio: f64 = 0;
let shape: i32 = 0;
let slaFree: i32 = 0;
let slaVip: i32 = 0;
let queueMax = new StaticArray<i32>(2);
let returningRatio: f64 = 0.3;
let maxTokens: i32 = 12800;
let slots: i32 = 0;

// Episode state.
let tick: i32 = 0;
let countRng = new Stream(0, 0);
let attrRng = new Stream(0, 1);
let userRng = new Stream(0, 2);
let status = new StaticArray<i32>(0);
let tierOf = new StaticArray<i32>(0);
let userOf = new StaticArray<i32>(0);
let promptOf = new StaticArray<i32>(0);
let targetOf = new StaticArray<i32>(0);
let generatedOf = new StaticArray<i32>(0);
let arrivalOf = new StaticArray<i32>(0);
let firstTokenOf = new StaticArray<i32>(0);
let missedOf = new StaticArray<i32>(0);
let freeSlots = new StaticArray<i32>(0);
let freeSlotCount: i32 = 0;
let queues = new StaticArray<i32>(0); // two rings of `slots` entries: [tier * slots + i]
let queueHead = new StaticArray<i32>(2);
let queueLength = new StaticArray<i32>(2);
let running = new StaticArray<i32>(0);
let runningCount: i32 = 0;
let swapped = new StaticArray<i32>(0);
let swappedCount: i32 = 0;
let userHistory = new StaticArray<i32>(0);
// Trace replay (setTraceTraffic): arrivals read from a recorded request trace instead of drawn.
let traceCount: i32 = 0;
let traceNext: i32 = 0;
let traceTick = new StaticArray<i32>(0);
let traceInput = new StaticArray<i32>(0);
let traceOutput = new StaticArray<i32>(0);
let traceOffset = new StaticArray<i32>(0);
let traceBlocks = new StaticArray<i32>(0);
let traceOf = new StaticArray<i32>(0); // slot → trace request index (-1: generated traffic)
let checkSeen = new StaticArray<i32>(0);
// SLA deadlines: per class, a ring of (slot, arrival tick) in arrival order, so deadlines come in
// order too and a tick looks only at the requests whose deadline it is. A tick accepts at most
// queueMax arrivals of a class and an entry lives sla + 1 ticks, which bounds each ring.
let deadlineSlot = new StaticArray<i32>(0); // [tier * deadlineCap + i]
let deadlineArrival = new StaticArray<i32>(0);
let deadlineCap: i32 = 0;
let deadlineHead = new StaticArray<i32>(2);
let deadlineLength = new StaticArray<i32>(2);
let latePenalty: f64 = 0;
let userCount: i32 = 0;
let stalledLastTick: i32 = 0;

/** Counters since reset, read by the host (see `countersBuffer`). */
let counters = new StaticArray<f64>(ServingCounter.COUNT);

export let observation = new StaticArray<f64>(ServingObservation.COUNT);
export let lastReward: f64 = 0;

@inline function weight(tier: i32): f64 {
  return tier == VIP ? 3.0 : 1.0;
}

export function setupServing(
  gpu: i32, cpu: i32, tokensPerBlock: i32, ticks: i32, batch: i32, perTick: i32, vip: f64, power: f64,
  trafficShape: i32, free: i32, vipSla: i32, freeQueueMax: i32, vipQueueMax: i32, returning: f64, tokensCap: i32, requestSlots: i32,
  evictionPolicy: i32, evictionParams: usize,
): void {
  gpuBlocks = gpu;
  cpuBlocks = cpu;
  blockTokens = tokensPerBlock;
  maxTicks = ticks;
  batchLimit = batch;
  tokensPerTick = perTick;
  vipRatio = vip;
  powerRatio = power;
  shape = trafficShape;
  arrivalRates = new StaticArray<f64>(ticks + 1);
  for (let t = 0; t <= ticks; t++) unchecked(arrivalRates[t] = arrivalRate(t));
  slaFree = free;
  slaVip = vipSla;
  queueMax = new StaticArray<i32>(2);
  unchecked(queueMax[0] = freeQueueMax);
  unchecked(queueMax[1] = vipQueueMax);
  returningRatio = returning;
  maxTokens = tokensCap;
  slots = requestSlots;
  const maxBlocks = (tokensCap + tokensPerBlock - 1) / tokensPerBlock;
  pool.setupPool(gpu, cpu, tokensPerBlock, requestSlots, maxBlocks, evictionPolicy, evictionParams, 0);
  status = new StaticArray<i32>(slots);
  tierOf = new StaticArray<i32>(slots);
  userOf = new StaticArray<i32>(slots);
  promptOf = new StaticArray<i32>(slots);
  targetOf = new StaticArray<i32>(slots);
  generatedOf = new StaticArray<i32>(slots);
  arrivalOf = new StaticArray<i32>(slots);
  firstTokenOf = new StaticArray<i32>(slots);
  missedOf = new StaticArray<i32>(slots);
  freeSlots = new StaticArray<i32>(slots);
  queues = new StaticArray<i32>(2 * slots);
  // Everything lives in the arena that resetArena wipes: allocate here, never at module start.
  queueHead = new StaticArray<i32>(2);
  queueLength = new StaticArray<i32>(2);
  running = new StaticArray<i32>(slots);
  swapped = new StaticArray<i32>(slots);
  checkSeen = new StaticArray<i32>(slots);
  deadlineCap = max(freeQueueMax, vipQueueMax) * (max(free, vipSla) + 2);
  deadlineSlot = new StaticArray<i32>(2 * deadlineCap);
  deadlineArrival = new StaticArray<i32>(2 * deadlineCap);
  deadlineHead = new StaticArray<i32>(2);
  deadlineLength = new StaticArray<i32>(2);
  traceOf = new StaticArray<i32>(slots);
  traceCount = 0;
  // Every arrival may be a new user: at most ~40 per tick.
  userHistory = new StaticArray<i32>(ticks * 48 + 64);
  counters = new StaticArray<f64>(ServingCounter.COUNT);
  observation = new StaticArray<f64>(ServingObservation.COUNT);
  countRng = new Stream(0, 0);
  attrRng = new Stream(0, 1);
  userRng = new Stream(0, 2);
}

/**
 * Starts an episode; the pool must have been set up in this arena. Spawns tick 0's arrivals. With
 * `reseed` the traffic streams restart from `seed`; without, they go on from where the last
 * episode left them (a new episode, not a replay of the last one).
 */
export function resetServing(seed: f64, reseed: bool): void {
  if (reseed) {
    const s = <u64>seed;
    countRng.reseed(s, 0);
    attrRng.reseed(s, 1);
    userRng.reseed(s, 2);
    seedRng(s); // the pool's random eviction
  }
  pool.resetPool();
  for (let r = 0; r < slots; r++) {
    unchecked(status[r] = FREE_SLOT);
    unchecked(freeSlots[r] = slots - 1 - r);
  }
  freeSlotCount = slots;
  unchecked(queueHead[0] = 0);
  unchecked(queueHead[1] = 0);
  unchecked(queueLength[0] = 0);
  unchecked(queueLength[1] = 0);
  for (let tier = 0; tier < 2; tier++) {
    unchecked(deadlineHead[tier] = 0);
    unchecked(deadlineLength[tier] = 0);
  }
  latePenalty = 0;
  runningCount = 0;
  swappedCount = 0;
  userCount = 0;
  traceNext = 0;
  stalledLastTick = 0;
  tick = 0;
  lastReward = 0;
  for (let i = 0; i < ServingCounter.COUNT; i++) unchecked(counters[i] = 0);
  spawn();
  observe();
}

// --- queues ---------------------------------------------------------------------------------

@inline function queueAt(tier: i32, i: i32): i32 {
  return unchecked(queues[tier * slots + (unchecked(queueHead[tier]) + i) % slots]);
}

function pushBack(tier: i32, r: i32): void {
  const n = unchecked(queueLength[tier]);
  unchecked(queues[tier * slots + (unchecked(queueHead[tier]) + n) % slots] = r);
  unchecked(queueLength[tier] = n + 1);
}

function pushFront(tier: i32, r: i32): void {
  const h = (unchecked(queueHead[tier]) + slots - 1) % slots;
  unchecked(queueHead[tier] = h);
  unchecked(queues[tier * slots + h] = r);
  unchecked(queueLength[tier] = queueLength[tier] + 1);
}

function popFront(tier: i32): i32 {
  const r = queueAt(tier, 0);
  unchecked(queueHead[tier] = (queueHead[tier] + 1) % slots);
  unchecked(queueLength[tier] = queueLength[tier] - 1);
  return r;
}

function removeAt(list: StaticArray<i32>, count: i32, i: i32): void {
  for (let k = i; k < count - 1; k++) unchecked(list[k] = list[k + 1]);
}

function releaseSlot(r: i32): void {
  unchecked(status[r] = FREE_SLOT);
  unchecked(freeSlots[freeSlotCount++] = r);
}

/** Queues a new arrival and schedules its SLA check. */
function enqueueArrival(tier: i32, r: i32): void {
  pushBack(tier, r);
  const n = unchecked(deadlineLength[tier]);
  const i = tier * deadlineCap + (unchecked(deadlineHead[tier]) + n) % deadlineCap;
  unchecked(deadlineSlot[i] = r);
  unchecked(deadlineArrival[i] = tick);
  unchecked(deadlineLength[tier] = n + 1);
}

// --- traffic --------------------------------------------------------------------------------

function arrivalRate(t: i32): f64 {
  if (shape == TrafficShape.flat) return 1.0;
  const ft = <f64>t;
  const base = shape == TrafficShape.wave ? 2.0 : 4.0;
  const a = shape == TrafficShape.wave ? 4.0 : 8.0;
  const b = shape == TrafficShape.wave ? 2.0 : 4.0;
  return max(0.0, Math.round(((base + 0.005 * ft) + a * Math.sin(2.0 * Math.PI * ft / 1000.0)) + b * Math.sin(2.0 * Math.PI * ft / 150.0)));
}

/**
 * Arrivals of this tick. Counts, attributes and users come from separate streams, none of which
 * depends on what the agent did. A returning user (30%) continues their conversation: the prompt
 * is their history (previous prompts and answers) plus a new message, so its first blocks are the
 * same prefix as before; a conversation that would pass the token cap starts afresh.
 */
function spawn(): void {
  if (traceCount > 0) {
    spawnFromTrace();
    return;
  }
  const n = countRng.poisson(unchecked(arrivalRates[tick]));
  // Counted in locals and added once: most arrivals of a busy tick are dropped, and each would
  // otherwise read and write the same counters in memory.
  let returning = 0;
  let weighed = 0.0;
  let dropped = 0;
  for (let i = 0; i < n; i++) {
    const tier = attrRng.uniform() < vipRatio ? VIP : 0;
    const power = attrRng.uniform() < powerRatio;
    let prompt = max(16, <i32>attrRng.normal(power ? 3500.0 : 100.0, power ? 1200.0 : 50.0));
    const target = max(16, <i32>attrRng.normal(power ? 800.0 : 250.0, power ? 300.0 : 100.0));
    let user = -1;
    if (userCount > 0 && userRng.uniform() < returningRatio) {
      user = userRng.below(userCount);
      if (unchecked(userHistory[user]) + prompt + target > maxTokens) user = -1;
      else prompt += unchecked(userHistory[user]);
    }
    if (user < 0) {
      prompt = min(prompt, maxTokens - 16);
      user = userCount++;
    } else {
      returning++;
    }
    const gen = min(target, maxTokens - prompt);
    unchecked(userHistory[user] = prompt + gen);
    weighed += weight(tier);
    if (unchecked(queueLength[tier]) >= unchecked(queueMax[tier]) || freeSlotCount == 0) {
      dropped++;
      continue;
    }
    const r = unchecked(freeSlots[--freeSlotCount]);
    unchecked(status[r] = QUEUED);
    unchecked(tierOf[r] = tier);
    unchecked(userOf[r] = user);
    unchecked(promptOf[r] = prompt);
    unchecked(targetOf[r] = gen);
    unchecked(generatedOf[r] = 0);
    unchecked(arrivalOf[r] = tick);
    unchecked(firstTokenOf[r] = -1);
    unchecked(missedOf[r] = 0);
    unchecked(traceOf[r] = -1);
    enqueueArrival(tier, r);
  }
  unchecked(counters[ServingCounter.arrived] += <f64>n);
  unchecked(counters[ServingCounter.arrivedWeight] += weighed);
  unchecked(counters[ServingCounter.returning] += <f64>returning);
  unchecked(counters[ServingCounter.dropped] += <f64>dropped);
}

/**
 * Allocates room for a request trace of `count` requests and `blocks` prompt blocks; the host fills
 * the buffers (traceBuffer), then every reset replays it: request i arrives at its tick, free
 * class, its prompt's blocks hashed by the trace's own block ids (so equal ids share KV).
 */
export function setTraceTraffic(count: i32, blocks: i32): void {
  traceCount = count;
  traceTick = new StaticArray<i32>(count);
  traceInput = new StaticArray<i32>(count);
  traceOutput = new StaticArray<i32>(count);
  traceOffset = new StaticArray<i32>(count + 1);
  traceBlocks = new StaticArray<i32>(blocks);
}

/** Pointer to one of the trace buffers, by `ServingTraceColumn`. */
export function traceBuffer(which: i32): usize {
  if (which == ServingTraceColumn.arrivalTick) return changetype<usize>(traceTick);
  if (which == ServingTraceColumn.inputLength) return changetype<usize>(traceInput);
  if (which == ServingTraceColumn.outputLength) return changetype<usize>(traceOutput);
  if (which == ServingTraceColumn.offsets) return changetype<usize>(traceOffset);
  return changetype<usize>(traceBlocks); // ServingTraceColumn.blocks
}

function spawnFromTrace(): void {
  while (traceNext < traceCount && unchecked(traceTick[traceNext]) <= tick) {
    const i = traceNext++;
    unchecked(counters[ServingCounter.arrived] += 1);
    unchecked(counters[ServingCounter.arrivedWeight] += 1.0);
    const prompt = min(max(1, unchecked(traceInput[i])), maxTokens - 1);
    if (unchecked(queueLength[0]) >= unchecked(queueMax[0]) || freeSlotCount == 0) {
      unchecked(counters[ServingCounter.dropped] += 1);
      continue;
    }
    const r = unchecked(freeSlots[--freeSlotCount]);
    unchecked(status[r] = QUEUED);
    unchecked(tierOf[r] = 0);
    unchecked(userOf[r] = i);
    unchecked(promptOf[r] = prompt);
    unchecked(targetOf[r] = max(1, min(unchecked(traceOutput[i]), maxTokens - prompt)));
    unchecked(generatedOf[r] = 0);
    unchecked(arrivalOf[r] = tick);
    unchecked(firstTokenOf[r] = -1);
    unchecked(missedOf[r] = 0);
    unchecked(traceOf[r] = i);
    enqueueArrival(0, r);
  }
}

// --- actions --------------------------------------------------------------------------------

/** Trace block ids and generated hashes must never meet: generated ones live above 2^40. */
const GENERATED_HASHES: i64 = 1 << 40;

/**
 * The hash of request r's block k. Generated traffic: block k of user u is u·65536 + k (history is
 * append-only). A trace names its prompt blocks; blocks filled by generated tokens are this
 * request's own. A trace lists ceil(prompt / block) ids; a partial last block's id says nothing
 * once generated tokens fill it, so only the prompt's full blocks take the trace's ids.
 */
@inline function blockHash(r: i32, k: i32): i64 {
  const i = unchecked(traceOf[r]);
  if (i < 0) return <i64>unchecked(userOf[r]) * HASH_STRIDE + <i64>k;
  const from = unchecked(traceOffset[i]);
  const listed = min(unchecked(traceOffset[i + 1]) - from, unchecked(promptOf[r]) / blockTokens);
  return k < listed ? <i64>unchecked(traceBlocks[from + k]) : GENERATED_HASHES + <i64>i * HASH_STRIDE + <i64>k;
}

function fillHashes(r: i32, fromBlock: i32, toBlock: i32): void {
  for (let k = fromBlock; k < toBlock; k++) unchecked(pool.hashInput[k - fromBlock] = blockHash(r, k));
}

/** Admits the head of `tier`'s queue; false (nothing changed) when it does not fit. */
function admitHead(tier: i32): bool {
  if (unchecked(queueLength[tier]) == 0) return false;
  const r = queueAt(tier, 0);
  const tokens = unchecked(promptOf[r]) + unchecked(generatedOf[r]);
  fillHashes(r, 0, tokens / blockTokens);
  const hit = pool.admit(r, tokens);
  if (hit < 0) return false;
  popFront(tier);
  unchecked(status[r] = RUNNING);
  unchecked(running[runningCount++] = r);
  unchecked(counters[ServingCounter.admitted] += 1);
  unchecked(counters[ServingCounter.prefixHitBlocks] += <f64>hit);
  return true;
}

/** The most recently admitted running request of `tier` (vLLM preempts the newest), or -1. */
function newestRunning(tier: i32): i32 {
  for (let i = runningCount - 1; i >= 0; i--) {
    const r = unchecked(running[i]);
    if (tier < 0 || unchecked(tierOf[r]) == tier) return i;
  }
  return -1;
}

function swapOut(tier: i32): bool {
  const i = newestRunning(tier);
  if (i < 0) return false;
  const r = unchecked(running[i]);
  const copied = pool.swap(r, pool.CPU);
  if (copied < 0) return false;
  removeAt(running, runningCount--, i);
  unchecked(status[r] = SWAPPED);
  unchecked(swapped[swappedCount++] = r);
  unchecked(counters[ServingCounter.swappedBlocks] += <f64>copied);
  return true;
}

function swapIn(): bool {
  if (swappedCount == 0) return false;
  const r = unchecked(swapped[0]);
  const copied = pool.swap(r, pool.GPU);
  if (copied < 0) return false;
  removeAt(swapped, swappedCount--, 0);
  unchecked(status[r] = RUNNING);
  unchecked(running[runningCount++] = r);
  unchecked(counters[ServingCounter.swappedBlocks] += <f64>copied);
  return true;
}

/** vLLM v1's preemption: free the newest running request's blocks (they stay cached) and requeue it first. */
function recompute(): bool {
  const i = newestRunning(-1);
  if (i < 0) return false;
  const r = unchecked(running[i]);
  const tier = unchecked(tierOf[r]);
  if (unchecked(queueLength[tier]) >= unchecked(queueMax[tier])) return false;
  pool.freeRequest(r);
  removeAt(running, runningCount--, i);
  unchecked(status[r] = QUEUED);
  pushFront(tier, r);
  unchecked(counters[ServingCounter.recomputes] += 1);
  // Its deadline passed while it ran without a first token: it is a queued miss from now on.
  if (unchecked(firstTokenOf[r]) < 0 && unchecked(missedOf[r]) == 0 && tick - unchecked(arrivalOf[r]) > (tier == VIP ? slaVip : slaFree)) {
    latePenalty += missSla(r, tier);
  }
  return true;
}

function apply(action: i32): bool {
  if (action == ServingAction.do_nothing) return true;
  if (action == ServingAction.admit_next_vip) return admitHead(VIP);
  if (action == ServingAction.admit_next_free) return admitHead(0);
  if (action == ServingAction.admit_while_fits) {
    let any = false;
    while (admitHead(VIP)) any = true;
    while (admitHead(0)) any = true;
    return any;
  }
  if (action == ServingAction.swap_out_newest_free) return swapOut(0);
  if (action == ServingAction.swap_out_newest_vip) return swapOut(VIP);
  if (action == ServingAction.swap_in_oldest) return swapIn();
  if (action == ServingAction.recompute_newest) return recompute();
  if (unchecked(queueLength[0]) == 0) return false;
  releaseSlot(popFront(0));
  unchecked(counters[ServingCounter.rejected] += 1);
  return true;
}

// --- time -----------------------------------------------------------------------------------

/** One decode step for the oldest `batchLimit` running requests; returns the reward earned. */
function decode(): f64 {
  let reward = 0.0;
  let stalls = 0;
  let i = 0;
  let served = 0;
  while (i < runningCount && served < batchLimit) {
    const r = unchecked(running[i]);
    served++;
    const before = unchecked(promptOf[r]) + unchecked(generatedOf[r]);
    const step = min(tokensPerTick, unchecked(targetOf[r]) - unchecked(generatedOf[r]));
    const after = before + step;
    fillHashes(r, before / blockTokens, after / blockTokens);
    if (pool.grow(r, after) < 0) {
      stalls++; // no block for the next tokens: wait (never crash)
      i++;
      continue;
    }
    unchecked(generatedOf[r] = generatedOf[r] + step);
    if (unchecked(firstTokenOf[r]) < 0) unchecked(firstTokenOf[r] = tick);
    const tier = unchecked(tierOf[r]);
    unchecked(counters[ServingCounter.tokens] += <f64>step);
    reward += 0.001 * weight(tier) * <f64>step;
    if (unchecked(generatedOf[r]) >= unchecked(targetOf[r])) {
      const sla = tier == VIP ? slaVip : slaFree;
      const met = unchecked(firstTokenOf[r]) - unchecked(arrivalOf[r]) <= sla;
      unchecked(counters[ServingCounter.completed] += 1);
      if (met) {
        unchecked(counters[ServingCounter.sloMet] += 1);
        unchecked(counters[ServingCounter.metWeight] += weight(tier));
        reward += weight(tier);
      }
      pool.freeRequest(r);
      removeAt(running, runningCount--, i);
      releaseSlot(r);
      continue;
    }
    i++;
  }
  stalledLastTick = stalls;
  unchecked(counters[ServingCounter.stalls] += <f64>stalls);
  return reward;
}

function missSla(r: i32, tier: i32): f64 {
  unchecked(missedOf[r] = 1);
  unchecked(counters[ServingCounter.slaMisses] += 1);
  return -0.5 * weight(tier);
}

/**
 * Requests still queued without a first token when they pass their SLA: counted once. Only the
 * requests whose deadline falls now are looked at; one requeued after its deadline was counted
 * by recompute().
 */
function slaCheck(): f64 {
  let penalty = latePenalty;
  latePenalty = 0;
  for (let tier = 0; tier < 2; tier++) {
    const sla = tier == VIP ? slaVip : slaFree;
    const base = tier * deadlineCap;
    while (unchecked(deadlineLength[tier]) > 0) {
      const i = base + unchecked(deadlineHead[tier]);
      const arrival = unchecked(deadlineArrival[i]);
      if (tick - arrival <= sla) break;
      const r = unchecked(deadlineSlot[i]);
      unchecked(deadlineHead[tier] = (deadlineHead[tier] + 1) % deadlineCap);
      unchecked(deadlineLength[tier] = deadlineLength[tier] - 1);
      // The slot may have been served, rejected or reused since: only its own queued arrival counts.
      if (unchecked(status[r]) == QUEUED && unchecked(arrivalOf[r]) == arrival && unchecked(firstTokenOf[r]) < 0 && unchecked(missedOf[r]) == 0) {
        penalty += missSla(r, tier);
      }
    }
  }
  return penalty;
}

/**
 * One step: the action, one decode tick, the SLA check, then the next tick's arrivals. Returns
 * 1 when the action could not be carried out (nothing changed), 0 otherwise; the reward is in
 * `lastReward`, the observation in `observation`.
 */
export function stepServing(action: i32): i32 {
  const ok = apply(action);
  if (!ok) unchecked(counters[ServingCounter.failedActions] += 1);
  const dropsBefore = unchecked(counters[ServingCounter.dropped]);
  let reward = decode();
  reward += slaCheck();
  tick++;
  if (tick < maxTicks) spawn();
  reward -= 0.2 * (unchecked(counters[ServingCounter.dropped]) - dropsBefore);
  lastReward = reward;
  observe();
  return ok ? 0 : 1;
}

export function servingTick(): i32 {
  return tick;
}

export function servingDone(): bool {
  return tick >= maxTicks;
}

/** SLO attainment weighted by class: Σ weight of requests served within their SLA / Σ weight of arrivals. */
export function servingScore(): f64 {
  const arrived = unchecked(counters[ServingCounter.arrivedWeight]);
  return arrived > 0 ? unchecked(counters[ServingCounter.metWeight]) / arrived : 0.0;
}

export function countersBuffer(): usize {
  return changetype<usize>(counters);
}

export function observationBuffer(): usize {
  return changetype<usize>(observation);
}

// --- observation ----------------------------------------------------------------------------

function headWait(tier: i32): f64 {
  if (unchecked(queueLength[tier]) == 0) return 0.0;
  const sla = tier == VIP ? slaVip : slaFree;
  return min(1.0, <f64>(tick - unchecked(arrivalOf[queueAt(tier, 0)])) / <f64>max(1, sla));
}

function headBlocks(tier: i32): f64 {
  if (unchecked(queueLength[tier]) == 0) return 0.0;
  const r = queueAt(tier, 0);
  return min(1.0, <f64>((unchecked(promptOf[r]) + blockTokens - 1) / blockTokens) / <f64>gpuBlocks);
}

/** Share of the queue head's prompt blocks already cached on the GPU (hashed only up to the first miss). */
function headCached(tier: i32): f64 {
  if (unchecked(queueLength[tier]) == 0) return 0.0;
  const r = queueAt(tier, 0);
  const full = unchecked(promptOf[r]) / blockTokens;
  if (full == 0) return 0.0;
  let n = 0;
  while (n < full && pool.isCached(pool.GPU, blockHash(r, n))) n++;
  return <f64>n / <f64>full;
}

function observe(): void {
  let needed: i32 = 0; // blocks the running requests still need to finish
  for (let i = 0; i < runningCount; i++) {
    const r = unchecked(running[i]);
    const total = (unchecked(promptOf[r]) + unchecked(targetOf[r]) + blockTokens - 1) / blockTokens;
    needed += total - pool.blocksOf(r);
  }
  const gpuFree = pool.freeBlocks(pool.GPU);
  const o = observation;
  unchecked(o[ServingObservation.gpu_used] = 1.0 - <f64>gpuFree / <f64>gpuBlocks);
  unchecked(o[ServingObservation.cpu_used] = cpuBlocks > 0 ? 1.0 - <f64>pool.freeBlocks(pool.CPU) / <f64>cpuBlocks : 0.0);
  unchecked(o[ServingObservation.gpu_cached] = <f64>pool.cachedBlocks(pool.GPU) / <f64>gpuBlocks);
  unchecked(o[ServingObservation.free_queue] = <f64>unchecked(queueLength[0]) / <f64>unchecked(queueMax[0]));
  unchecked(o[ServingObservation.vip_queue] = <f64>unchecked(queueLength[1]) / <f64>unchecked(queueMax[1]));
  unchecked(o[ServingObservation.free_head_wait] = headWait(0));
  unchecked(o[ServingObservation.vip_head_wait] = headWait(VIP));
  unchecked(o[ServingObservation.free_head_blocks] = headBlocks(0));
  unchecked(o[ServingObservation.vip_head_blocks] = headBlocks(VIP));
  unchecked(o[ServingObservation.running] = min(1.0, <f64>runningCount / <f64>(2 * batchLimit)));
  unchecked(o[ServingObservation.swapped] = min(1.0, <f64>swappedCount / 16.0));
  unchecked(o[ServingObservation.growth_pressure] = max(-1.0, min(1.0, <f64>(needed - gpuFree) / <f64>gpuBlocks)));
  unchecked(o[ServingObservation.stalled] = <f64>stalledLastTick / <f64>batchLimit);
  unchecked(o[ServingObservation.time] = <f64>tick / <f64>maxTicks);
  unchecked(o[ServingObservation.free_head_cached] = headCached(0));
  unchecked(o[ServingObservation.vip_head_cached] = headCached(VIP));
}

// --- built-in policy ------------------------------------------------------------------------

/**
 * A vLLM-like scheduler: resume swapped requests first when the running ones leave room; when
 * decoding stalled for lack of blocks, swap out the newest free-tier request (VIP if none runs);
 * otherwise admit FCFS, VIP before free, as many as fit while the GPU keeps a 5% watermark.
 */
export function schedulerAction(): i32 {
  const gpuFree = pool.freeBlocks(pool.GPU);
  const watermark = gpuBlocks / 20;
  if (swappedCount > 0 && unchecked(observation[ServingObservation.growth_pressure]) <= 0) return ServingAction.swap_in_oldest;
  if (stalledLastTick > 0 && runningCount > 0) return newestRunning(0) >= 0 ? ServingAction.swap_out_newest_free : ServingAction.swap_out_newest_vip;
  for (let tier = VIP; tier >= 0; tier--) {
    if (unchecked(queueLength[tier]) == 0) continue;
    const r = queueAt(tier, 0);
    const blocks = (unchecked(promptOf[r]) + unchecked(generatedOf[r]) + blockTokens - 1) / blockTokens;
    if (gpuFree - blocks >= watermark) return ServingAction.admit_while_fits;
  }
  return ServingAction.do_nothing;
}

/** Runs the built-in scheduler for up to `steps` steps inside WASM; returns the steps taken. */
export function runScheduler(steps: i32): i32 {
  let n = 0;
  while (n < steps && tick < maxTicks) {
    stepServing(schedulerAction());
    n++;
  }
  return n;
}

/**
 * Checks that every request is in exactly one place, consistent with the block pool; returns the
 * first `ServingInvariant` broken, or `ok`.
 */
export function checkServing(): i32 {
  const seen = checkSeen;
  for (let r = 0; r < slots; r++) unchecked(seen[r] = 0);
  for (let i = 0; i < runningCount; i++) {
    const r = unchecked(running[i]);
    if (unchecked(status[r]) != RUNNING || unchecked(seen[r]) != 0) return ServingInvariant.misplaced;
    unchecked(seen[r] = 1);
  }
  for (let i = 0; i < swappedCount; i++) {
    const r = unchecked(swapped[i]);
    if (unchecked(status[r]) != SWAPPED || unchecked(seen[r]) != 0) return ServingInvariant.misplaced;
    unchecked(seen[r] = 1);
  }
  for (let tier = 0; tier < 2; tier++) {
    for (let i = 0; i < unchecked(queueLength[tier]); i++) {
      const r = queueAt(tier, i);
      if (unchecked(status[r]) != QUEUED || unchecked(tierOf[r]) != tier || unchecked(seen[r]) != 0) return ServingInvariant.misplaced;
      unchecked(seen[r] = 1);
    }
  }
  for (let r = 0; r < slots; r++) {
    const st = unchecked(status[r]);
    if (st != FREE_SLOT && unchecked(seen[r]) == 0) return ServingInvariant.misplaced;
    if ((st == QUEUED || st == FREE_SLOT) && pool.blocksOf(r) != 0) return ServingInvariant.idleHoldsBlocks;
    if (st == RUNNING && (pool.blocksOf(r) == 0 || pool.tierOfRequest(r) != pool.GPU)) return ServingInvariant.runningOffGpu;
    if (st == SWAPPED && pool.tierOfRequest(r) != pool.CPU) return ServingInvariant.swappedOffCpu;
  }
  return pool.checkPool() == 0 ? ServingInvariant.ok : ServingInvariant.pool;
}
