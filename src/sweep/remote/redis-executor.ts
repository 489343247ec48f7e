import { Queue, QueueEvents, type Job } from "bullmq";
import { encodeBinaryTrace } from "../../traces/formats/binary.js";
import { sha256Hex } from "../../util/sha256.js";
import type { Executor } from "../execute.js";
import type { SweepJob } from "../job.js";
import type { SweepPlan } from "../plan.js";
import { RETENTION_SECONDS, type BatchJobData, type BatchJobResult, SWEEP_QUEUE, traceKey } from "./protocol.js";
import { checkRedisReachable, connectRedis } from "./connect.js";
import { redactRedisUrl } from "./redis-url.js";

/** Attempts per job before it is reported failed: a worker's crash, a lost trace, a Redis error. */
const ATTEMPTS = 3;

export interface RedisExecutorOptions {
  /** Called when jobs wait and no worker is connected, so the user knows to start one. */
  onNoWorkers?: (message: string) => void;
}

/**
 * The coordinator's side of a distributed sweep: each batch becomes a BullMQ job whose id is
 * derived from the spec hash and the batch's row keys, so a rerun finds the jobs of the first run
 * (finished ones return their stored results at once) instead of adding new ones. Traces go to
 * Redis once, by content hash, before any job that needs them.
 */
export async function redisExecutor(plan: SweepPlan, url: string, options: RedisExecutorOptions = {}): Promise<Executor> {
  await checkRedisReachable(url);
  // QueueEvents blocks on its connection (XREAD), so it gets its own.
  const connection = connectRedis(url);
  const eventConnection = connectRedis(url);
  const queue = new Queue<BatchJobData, BatchJobResult>(SWEEP_QUEUE, { connection });
  const events = new QueueEvents(SWEEP_QUEUE, { connection: eventConnection });
  // Every batch is in flight at once, each with its listeners: many listeners are the design, not a leak.
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const uploaded = new Map<number, Promise<unknown>>();
  const upload = (traceId: number): Promise<unknown> => {
    if (!uploaded.has(traceId)) {
      const bytes = encodeBinaryTrace(plan.traces[traceId]!);
      uploaded.set(traceId, connection.set(traceKey(plan.traceDigests[traceId]!), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), "EX", RETENTION_SECONDS));
    }
    return uploaded.get(traceId)!;
  };
  if ((await queue.getWorkers()).length === 0) {
    options.onNoWorkers?.(`no kvsim worker is connected to ${redactRedisUrl(url)} yet; jobs wait until one is (kvsim worker --redis URL)`);
  }

  const submit = async (jobs: SweepJob[]): Promise<Job<BatchJobData, BatchJobResult>> => {
    const traceIds = [...new Set(jobs.map((j) => j.traceId))];
    await Promise.all(traceIds.map(upload));
    const rowsHash = await sha256Hex([jobs.map((j) => plan.rows[j.row]!.key).join("\n")]);
    const jobId = `sweep-${plan.specHash.slice(0, 16)}-${rowsHash.slice(0, 16)}`;
    const data: BatchJobData = { specHash: plan.specHash, jobs, traces: Object.fromEntries(traceIds.map((t) => [t, plan.traceDigests[t]!])) };
    // With an existing id BullMQ adds nothing and hands back the job as the first run left it.
    const job = await queue.add("batch", data, {
      jobId, attempts: ATTEMPTS, backoff: { type: "exponential", delay: 1_000 },
      removeOnComplete: { age: RETENTION_SECONDS }, removeOnFail: { age: RETENTION_SECONDS },
    });
    if ((await job.getState()) === "failed") await job.retry("failed");
    return job;
  };

  return {
    run: async (jobs) => {
      const job = await submit(jobs);
      try {
        return await job.waitUntilFinished(events);
      } catch (err) {
        throw new Error(`job ${job.id} failed after ${ATTEMPTS} attempts: ${(err as Error).message}`);
      }
    },
    destroy: async () => {
      await Promise.allSettled([events.close(), queue.close()]);
      connection.disconnect();
      eventConnection.disconnect();
    },
  };
}
