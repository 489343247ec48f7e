import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { packageVersion } from "../../package-info.js";
import { decodeBinaryTrace } from "../../traces/formats/binary.js";
import { engineModule, servingModule } from "../../wasm/instance.js";
import { shareTrace, type SharedTrace } from "../shared-trace.js";
import type { BatchTask } from "../worker.js";
import type { SweepJob } from "../job.js";
import { compiledUrl } from "../../util/load-compiled.js";
import { sweepQueue, traceKey, type BatchJobData, type BatchJobResult } from "./protocol.js";
import { checkRedisReachable, connectRedis, errorReporter } from "./connect.js";
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

/** Traces by digest, fetched from Redis once (concurrent jobs share one fetch) and shared with every thread. */
class TraceCache {
  private readonly traces = new Map<string, Promise<SharedTrace>>();

  constructor(private readonly redis: Redis, private readonly capacity: number) {}

  get(digest: string): Promise<SharedTrace> {
    let trace = this.traces.get(digest);
    if (trace) {
      this.traces.delete(digest);
    } else {
      trace = this.fetch(digest);
      trace.catch(() => this.traces.delete(digest));
    }
    this.traces.set(digest, trace);
    while (this.traces.size > this.capacity) this.traces.delete(this.traces.keys().next().value!);
    return trace;
  }

  private async fetch(digest: string): Promise<SharedTrace> {
    const bytes = await this.redis.getBuffer(traceKey(digest));
    if (!bytes) throw new Error(`trace ${digest.slice(0, 12)}… is not in Redis (expired or deleted); rerun the sweep command to upload it again`);
    return shareTrace(decodeBinaryTrace(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), traceKey(digest)));
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
  const version = packageVersion();
  await checkRedisReachable(options.url);
  const report = errorReporter(options.url, log);
  const redis = connectRedis(options.url, report);
  const workerConnection = connectRedis(options.url, report);
  const cache = new TraceCache(redis, options.cachedTraces ?? 64);
  const pool = new Piscina<BatchTask, BatchJobResult>({
    filename: compiledUrl("sweep/worker.js"),
    workerData: { module: engineModule() },
    minThreads: concurrency, maxThreads: concurrency,
  });
  // Timed serving runs have their own worker script (the serving engine); its threads start with the first such job.
  let serving: Piscina | undefined;
  const servingPool = (): Piscina => (serving ??= new Piscina({
    filename: compiledUrl("timed/sweep/worker.js"), workerData: { module: engineModule(), servingModule: servingModule() },
    minThreads: concurrency, maxThreads: concurrency,
  }));
  const worker = new Worker<BatchJobData, BatchJobResult>(sweepQueue(version), async (job: Job<BatchJobData, BatchJobResult>) => {
    if (job.data.kvsimVersion !== version) {
      throw new UnrecoverableError(`job from kvsim ${job.data.kvsimVersion}, this worker is kvsim ${version}: run workers of the coordinator's version`);
    }
    const t0 = performance.now();
    log(`job ${job.id} started: ${job.data.jobs.length} rows (attempt ${job.attemptsMade + 1})`);
    let outcomes: BatchJobResult;
    if (job.data.kind === "serving") {
      outcomes = await servingPool().run({ jobs: job.data.jobs });
    } else {
      const traces: SharedTrace[] = [];
      await Promise.all(Object.entries(job.data.traces).map(async ([traceId, digest]) => { traces[Number(traceId)] = await cache.get(digest); }));
      outcomes = await pool.run({ jobs: job.data.jobs as SweepJob[], traces });
    }
    log(`job ${job.id} done in ${(performance.now() - t0).toFixed(0)} ms`);
    return outcomes;
  }, { connection: workerConnection, concurrency, lockDuration, stalledInterval: lockDuration, autorun: false });
  worker.on("failed", (job, err) => log(`job ${job?.id} failed: ${err.message}`));
  worker.on("error", report);
  const close = async () => {
    await worker.close();
    await Promise.all([pool.destroy(), serving?.destroy()]);
    redis.disconnect();
    workerConnection.disconnect();
  };
  worker.run().catch((err: Error) => report(err));
  try {
    await worker.waitUntilReady();
  } catch (err) {
    await close();
    throw err;
  }
  log(`kvsim worker ${version}: ${concurrency} thread(s) on queue ${sweepQueue(version)} at ${redactRedisUrl(options.url)}`);
  return { close };
}
