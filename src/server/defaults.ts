import type { SessionLimits } from "./sessions.js";

/** The server's limits; `kvsim serve` takes its flag defaults from SERVER_DEFAULTS without loading the HTTP stack. */
export interface ServerOptions extends SessionLimits {
  /** Largest request body in bytes. */
  bodyLimit: number;
  /** Most accesses of one /api/simulate replay, and of each workload a client's sweep generates. */
  maxAccesses: number;
  /** Most pages of a workload a client asks the server to generate. */
  maxPages: number;
  /** Most runs in one /api/sweep sweep, sweeps kept at once, and worker threads per sweep. */
  maxSweepRows: number;
  maxSweeps: number;
  sweepThreads: number;
  /** The address the server binds: on a loopback one, only loopback Host headers are answered. */
  host: string;
  /** Web origins (`https://example.org`) allowed besides the server's own. */
  allowedOrigins: string[];
  /** The env OpenEnv's protocol serves at the root (`/reset`, `/step`, `/ws` …). */
  defaultEnv: string;
  /** A whole request (headers and body) must arrive within this long, its headers within a third of it. */
  requestTimeoutMs: number;
}

export const SERVER_DEFAULTS: ServerOptions = { maxSessions: 64, idleTtlMs: 10 * 60_000, maxEpisodeSteps: 100_000, bodyLimit: 64 * 1024, maxAccesses: 2_000_000, maxPages: 1_000_000, maxSweepRows: 5_000, maxSweeps: 4, sweepThreads: 1, host: "127.0.0.1", allowedOrigins: [], defaultEnv: "kvsim/Serving-easy-v0", requestTimeoutMs: 30_000 };
