import { KvsimInputError } from "../../errors.js";

/** Where the Redis URL comes from when no flag gives it (keeps a password out of `ps` and shell history). */
export const REDIS_URL_ENV = "KVSIM_REDIS_URL";

/**
 * Checks a Redis URL: `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS
 * (Node's CA store; add a private CA with NODE_EXTRA_CA_CERTS). Returns it unchanged.
 */
function checkRedisUrl(url: string, flag: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KvsimInputError(`${flag}: not a URL (expected redis://HOST:PORT/DB or rediss://…)`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new KvsimInputError(`${flag}: unsupported scheme "${parsed.protocol}" (redis: or rediss:)`);
  }
  if (!parsed.hostname) throw new KvsimInputError(`${flag}: no host in ${redactRedisUrl(url)}`);
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db)) throw new KvsimInputError(`${flag}: the path must be a database number, got "/${db}"`);
  return url;
}

/**
 * The URL with its user name, password and query masked (ioredis also takes `?password=` there):
 * what logs and run_metadata.json show.
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username) parsed.username = "***";
    if (parsed.password) parsed.password = "***";
    const masked = parsed.toString();
    return parsed.search ? masked.replace(parsed.search, "?***") : masked;
  } catch {
    return "(unparseable Redis URL)";
  }
}

/** A `--backend`/`--redis` value: a Redis URL, or "redis" for the one in $KVSIM_REDIS_URL. */
export function redisUrlOption(value: string | undefined, flag: string): string {
  if (value === undefined || value === "redis") {
    const fromEnv = process.env[REDIS_URL_ENV];
    if (!fromEnv) throw new KvsimInputError(`${flag}: give a redis:// URL, or set ${REDIS_URL_ENV}`);
    return checkRedisUrl(fromEnv, `$${REDIS_URL_ENV}`);
  }
  return checkRedisUrl(value, flag);
}
