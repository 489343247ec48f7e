import { Redis } from "ioredis";
import { KvsimInputError } from "../../errors.js";
import { redactRedisUrl } from "./redis-url.js";

/**
 * A connection for BullMQ: blocking commands must wait indefinitely (maxRetriesPerRequest null),
 * and a lost server is retried with backoff rather than failing the sweep at once. Errors are
 * reported by message only: ioredis's own report of a failed command prints its arguments,
 * which for AUTH include the password.
 */
export function connectRedis(url: string, onError: (message: string) => void = (m) => console.error(`kvsim: ${m}`)): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: "kvsim",
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let last = "";
  redis.on("error", (err: Error) => {
    const message = `Redis at ${redactRedisUrl(url)}: ${err.message}`;
    if (message !== last) onError(message);
    last = message;
  });
  redis.on("ready", () => (last = ""));
  return redis;
}

/**
 * Connects once, without retrying, and pings: an unreachable server or a wrong password is a clear
 * error at start instead of a silent wait.
 */
export async function checkRedisReachable(url: string): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, connectTimeout: 5_000 });
  // The cause (ECONNREFUSED, WRONGPASS…) arrives as an error event; connect() only says "closed".
  let cause: Error | undefined;
  probe.on("error", (err: Error) => (cause ??= err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new KvsimInputError(`cannot use Redis at ${redactRedisUrl(url)}: ${(cause ?? (err as Error)).message}`);
  } finally {
    probe.disconnect();
  }
}
