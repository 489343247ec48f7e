import { Worker, type Job } from "bullmq";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Piscina } from "piscina";
import { packageRoot } from "../../package-info.js";
import { decodeBinaryTrace } from "../../traces/formats/binary.js";
import { engineModule } from "../../wasm/engine-module.js";
import { shareTrace, type SharedTrace } from "../shared-trace.js";
import type { BatchTask } from "./batch-thread.js";
import { SWEEP_QUEUE, traceKey, type BatchJobData, type BatchJobResult } from "./protocol.js";
import { checkRedisReachable, connectRedis } from "./connect.js";
import { redactRedisUrl } from "./redis-url.js";

export interface RemoteWorkerOptions {
  url: string;
  /** Batches run at once, each on its own thread (default: available parallelism). */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal (ms). A killed worker's job goes back to the
   * queue within about this long; renewal happens at half of it, so keep it well above a
   * batch's event-loop stalls. BullMQ's default is 30 s.
   */
  lockMs?: number;
  /** Traces kept in memory between jobs, least recently used dropped first. */
  cachedTraces?: number;
  log?: (line: string) => void;
}

export interface RemoteWorker {
  /** Stops taking jobs, lets the running ones finish, and disconnects. */
  close(): Promise<void>;
}

/** Traces by digest, fetched from Redis once and shared with every thread. */
class TraceCache {
  private readonly traces = new Map<string, SharedTrace>();

  constructor(private readonly redis: ReturnType<typeof connectRedis>, private readonly capacity: number) {}

  async get(digest: string): Promise<SharedTrace> {
    const hit = this.traces.get(digest);
    if (hit) {
      this.traces.delete(digest);
      this.traces.set(digest, hit);
      return hit;
    }
    const bytes = await this.redis.getBuffer(traceKey(digest));
    if (!bytes) throw new Error(`trace ${digest.slice(0, 12)}… is not in Redis (expired or deleted); rerun the sweep command to upload it again`);
    const trace = shareTrace(decodeBinaryTrace(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), traceKey(digest)));
    this.traces.set(digest, trace);
    while (this.traces.size > this.capacity) this.traces.delete(this.traces.keys().next().value!);
    return trace;
  }
}

/**
 * `kvsim worker`: takes sweep batches from the shared BullMQ queue and runs them on a Piscina pool
 * of WASM engines, the same code path as a local sweep. Any number of workers on any number of
 * machines may serve one queue; a killed worker's jobs are picked up by another once its lock
 * expires (BullMQ's stalled-job check).
 */
export async function startRemoteWorker(options: RemoteWorkerOptions): Promise<RemoteWorker> {
  const log = options.log ?? ((line: string) => console.log(line));
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const lockDuration = options.lockMs ?? 30_000;
  await checkRedisReachable(options.url);
  const redis = connectRedis(options.url, (m) => log(m));
  const cache = new TraceCache(redis, options.cachedTraces ?? 64);
  const pool = new Piscina<BatchTask, BatchJobResult>({
    filename: pathToFileURL(join(packageRoot(), "dist", "src", "sweep", "remote", "batch-thread.js")).href,
    workerData: { module: engineModule() },
    minThreads: concurrency, maxThreads: concurrency,
  });
  const workerConnection = connectRedis(options.url, (m) => log(m));
  const worker = new Worker<BatchJobData, BatchJobResult>(SWEEP_QUEUE, async (job: Job<BatchJobData, BatchJobResult>) => {
    const t0 = performance.now();
    log(`job ${job.id} started: ${job.data.jobs.length} rows (attempt ${job.attemptsMade + 1})`);
    const traces: SharedTrace[] = [];
    for (const [traceId, digest] of Object.entries(job.data.traces)) traces[Number(traceId)] = await cache.get(digest);
    const outcomes = await pool.run({ jobs: job.data.jobs, traces });
    log(`job ${job.id} done in ${(performance.now() - t0).toFixed(0)} ms`);
    return outcomes;
  }, { connection: workerConnection, concurrency, lockDuration, stalledInterval: lockDuration, autorun: false });
  worker.on("failed", (job, err) => log(`job ${job?.id} failed: ${err.message}`));
  worker.on("error", (err) => log(`worker error: ${err.message}`));
  void worker.run();
  await worker.waitUntilReady();
  log(`kvsim worker: ${concurrency} thread(s) on queue ${SWEEP_QUEUE} at ${redactRedisUrl(options.url)}`);
  return {
    close: async () => {
      await worker.close();
      await pool.destroy();
      redis.disconnect();
      workerConnection.disconnect();
    },
  };
}
