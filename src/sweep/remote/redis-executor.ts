import { Queue, QueueEvents, type Job } from "bullmq";
import { packageVersion } from "../../package-info.js";
import { encodeBinaryTrace } from "../../traces/formats/binary.js";
import { sha256Hex } from "../../util/sha256.js";
import type { BatchExecutor } from "../dispatch.js";
import type { Trace } from "../../traces/trace.js";
import type { SweepJob } from "../job.js";
import type { SweepPlan } from "../plan.js";
import { checkRedisReachable, connectRedis, errorReporter, type ErrorSink } from "./connect.js";
import { RETENTION_SECONDS, sweepQueue, traceKey, type BatchJobData, type BatchJobResult } from "./protocol.js";
import { redactRedisUrl } from "./redis-url.js";

/** Attempts per job before it is reported failed: a worker's crash, a lost trace, a Redis error. */
const ATTEMPTS = 3;
/** How often a waiting job is looked up: a job Redis lost (restart without persistence) is added again. */
const CHECK_MS = 30_000;

export interface RedisExecutorOptions {
  /** Notices (no worker connected yet) and Redis errors, by message only. */
  onNotice?: ErrorSink;
}

type BatchJob = Job<BatchJobData, BatchJobResult>;

/**
 * What the coordinator needs of a sweep: its hash, each row's key, and, for page replays, the
 * traces each job replays (serving runs carry their requests and name none).
 */
export interface RemoteSweep<J> {
  specHash: string;
  kind?: "serving";
  keyOf(row: number): string;
  traceIds(job: J): number[];
  traceDigests: readonly string[];
  traces: readonly Trace[];
}

/** A page-hierarchy sweep as the coordinator sees it. */
export const remotePageSweep = (plan: SweepPlan): RemoteSweep<SweepJob> => ({
  specHash: plan.specHash, keyOf: (row) => plan.rows[row]!.key, traceIds: (job) => [job.traceId], traceDigests: plan.traceDigests, traces: plan.traces,
});

/**
 * The coordinator's side of a distributed sweep: each batch becomes a BullMQ job whose id is
 * derived from the kvsim version, the spec hash and the batch's row keys, so a rerun finds the
 * jobs of the first run (finished ones return their stored results at once) instead of adding
 * new ones, and a new kvsim version never reuses an old one's results. Traces go to Redis once,
 * by content hash, before any job that needs them.
 */
export async function redisExecutor<J extends { row: number }, O>(sweep: RemoteSweep<J>, url: string, options: RedisExecutorOptions = {}): Promise<BatchExecutor<J, O>> {
  const notice = options.onNotice ?? ((m: string) => console.error(`kvsim: ${m}`));
  await checkRedisReachable(url);
  const report = errorReporter(url, notice);
  // QueueEvents blocks on its connection (XREAD), so it gets its own.
  const connection = connectRedis(url, report);
  const eventConnection = connectRedis(url, report);
  const queue = new Queue<BatchJobData, BatchJobResult>(sweepQueue(packageVersion()), { connection });
  const events = new QueueEvents(sweepQueue(packageVersion()), { connection: eventConnection });
  queue.on("error", report);
  events.on("error", report);
  // Every batch is in flight at once, each with its listeners: many listeners are the design, not a leak.
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  const destroy = async () => {
    await Promise.allSettled([events.close(), queue.close()]);
    connection.disconnect();
    eventConnection.disconnect();
  };

  const version = packageVersion();
  const uploaded = new Map<number, Promise<unknown>>();
  /** A trace already in Redis (an earlier run, another sweep) only gets its expiry renewed. */
  const upload = (traceId: number): Promise<unknown> => {
    if (!uploaded.has(traceId)) {
      const key = traceKey(sweep.traceDigests[traceId]!);
      uploaded.set(traceId, connection.expire(key, RETENTION_SECONDS).then((renewed) => {
        if (renewed) return;
        const bytes = encodeBinaryTrace(sweep.traces[traceId]!);
        return connection.set(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), "EX", RETENTION_SECONDS);
      }));
    }
    return uploaded.get(traceId)!;
  };

  const submit = async (jobs: J[]): Promise<BatchJob> => {
    const traceIds = [...new Set(jobs.flatMap((j) => sweep.traceIds(j)))];
    await Promise.all(traceIds.map(upload));
    const rowsHash = await sha256Hex([version, "\n", sweep.specHash, "\n", jobs.map((j) => sweep.keyOf(j.row)).join("\n")]);
    const jobId = `sweep-${sweep.specHash.slice(0, 16)}-${rowsHash.slice(0, 16)}`;
    const data: BatchJobData = {
      kvsimVersion: version, specHash: sweep.specHash, ...(sweep.kind ? { kind: sweep.kind } : {}), jobs: jobs as unknown as BatchJobData["jobs"],
      traces: Object.fromEntries(traceIds.map((t) => [t, sweep.traceDigests[t]!])),
    };
    // With an existing id BullMQ adds nothing and hands back the job as the first run left it.
    const job = await queue.add("batch", data, {
      jobId, attempts: ATTEMPTS, backoff: { type: "exponential", delay: 1_000 },
      removeOnComplete: { age: RETENTION_SECONDS }, removeOnFail: { age: RETENTION_SECONDS },
    });
    if ((await job.getState()) === "failed") {
      // A new run gives a failed job its full attempts again; another coordinator may have done it first.
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true }).catch(() => {});
    }
    return job;
  };

  /** Waits for a job; a job that vanished from Redis is added again rather than waited for forever. */
  const finish = async (jobs: J[]): Promise<O[]> => {
    let job = await submit(jobs);
    for (;;) {
      try {
        return (await job.waitUntilFinished(events, CHECK_MS)) as O[];
      } catch {
        const state = await queue.getJobState(job.id!);
        if (state === "unknown") job = await submit(jobs);
        else if (state === "completed") return ((await queue.getJob(job.id!)) as BatchJob).returnvalue as O[];
        else if (state === "failed") {
          const failed = (await queue.getJob(job.id!)) as BatchJob | undefined;
          throw new Error(`job ${job.id} failed after ${failed?.attemptsMade ?? ATTEMPTS} attempts: ${failed?.failedReason ?? "unknown reason"}`);
        }
      }
    }
  };

  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    if ((await queue.getWorkers()).length === 0) {
      notice(`no kvsim ${packageVersion()} worker is connected to ${redactRedisUrl(url)} yet; jobs wait until one is (kvsim worker --redis URL, of this version)`);
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return { run: finish, destroy };
}
