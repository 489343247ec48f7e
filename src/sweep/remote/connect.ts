import { Redis } from "ioredis";
import { KvsimInputError } from "../../errors.js";
import { redactRedisUrl } from "./redis-url.js";

/**
 * A connection for BullMQ: blocking commands must wait indefinitely (maxRetriesPerRequest null),
 * and a lost server is retried with backoff rather than failing the sweep at once. Errors are
 * reported by message only: ioredis's own report of a failed command prints its arguments,
 * which for AUTH include the password.
 */
export function connectRedis(url: string, report: (err: Error) => void): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: "kvsim",
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  redis.on("error", report);
  return redis;
}

/** Where Redis errors go, by message: the same message twice in a row (a retry loop) is said once. */
export type ErrorSink = (message: string) => void;

/**
 * An "error" listener for ioredis connections and BullMQ objects. It must be attached to every
 * one of them: without a listener BullMQ prints the error object itself, whose `command` field
 * holds the arguments of AUTH/HELLO — the password.
 */
export function errorReporter(url: string, sink: ErrorSink): (err: Error) => void {
  let last = "";
  return (err) => {
    const message = `Redis at ${redactRedisUrl(url)}: ${err.message}`;
    if (message !== last) sink(message);
    last = message;
  };
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
    // A database past the server's count would otherwise leave the connection on database 0.
    const db = Number(new URL(url).pathname.slice(1) || 0);
    if (db > 0) await probe.select(db);
  } catch (err) {
    throw new KvsimInputError(`cannot use Redis at ${redactRedisUrl(url)}: ${(cause ?? (err as Error)).message}`);
  } finally {
    probe.disconnect();
  }
}
