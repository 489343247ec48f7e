import { Command } from "commander";
import { redisUrlOption, REDIS_URL_ENV } from "../sweep/remote/redis-url.js";
import { loadCompiled } from "../util/load-compiled.js";
import { parseIntInRange } from "./options.js";

interface WorkerCliOptions {
  redis?: string;
  concurrency?: number;
  lockMs: number;
}

export function workerCommand(): Command {
  return new Command("worker")
    .description("execute distributed sweep batches from a Redis queue (kvsim sweep --backend URL) until stopped")
    .option("--redis <url>", `Redis URL (redis://[:password@]HOST:PORT/DB, rediss:// for TLS; default: $${REDIS_URL_ENV})`)
    .option("--concurrency <n>", "batches at once, one thread each (default: available parallelism)", parseIntInRange("--concurrency", 1, 1_024))
    .option("--lock-ms <ms>", "job lock duration: a killed worker's batch is retried elsewhere after about this long", parseIntInRange("--lock-ms", 1000, 86_400_000), 30_000)
    .addHelpText("after", "\nStops gracefully on SIGINT/SIGTERM: running batches finish, no new ones start. See docs/sweeps.md for deployment.")
    .action(async (opts: WorkerCliOptions) => {
      const url = redisUrlOption(opts.redis, "--redis");
      const { startRemoteWorker } = await loadCompiled<typeof import("../sweep/remote/remote-worker.js")>("sweep/remote/remote-worker.js");
      const worker = await startRemoteWorker({ url, concurrency: opts.concurrency, lockMs: Math.max(1_000, opts.lockMs) });
      await new Promise<void>((resolve) => {
        const stop = () => {
          console.log("kvsim worker: stopping after the running batches");
          void worker.close().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
