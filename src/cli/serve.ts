import { Command } from "commander";
import { loadCompiled } from "../util/load-compiled.js";
import { SERVER_DEFAULTS as D } from "../server/defaults.js";
import { KvsimInputError } from "../errors.js";
import { envSpec } from "../envs/registry.js";
import { parseIntInRange } from "./options.js";

interface ServeOptions {
  host: string;
  port: number;
  maxSessions: number;
  idleTtl: number;
  bodyLimit: number;
  maxSteps: number;
  maxAccesses: number;
  maxPages: number;
  maxSweepRows: number;
  sweepThreads: number;
  allowOrigin: string[];
  env: string;
  requestTimeout: number;
}

/** An origin as browsers send it: scheme, host and port, nothing after. */
function originOf(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KvsimInputError(`--allow-origin: "${value}" is not an origin like https://example.org`);
  }
  if (url.origin === "null" || url.pathname !== "/" || url.search || url.hash) throw new KvsimInputError(`--allow-origin: "${value}" is not an origin like https://example.org (no path)`);
  return url.origin;
}

export function serveCommand(): Command {
  return new Command("serve")
    .description("serve the environments over HTTP and WebSocket (kvsim sessions per env id, OpenEnv's protocol, /api listings, /openapi.json)")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--port <port>", "port, 0 to 65535 (0: any free port)", parseIntInRange("--port", 0, 65_535), 8000)
    .option("--max-sessions <n>", "most sessions at once", parseIntInRange("--max-sessions", 1, 1_000_000), D.maxSessions)
    .option("--idle-ttl <s>", "seconds before an unused session is closed (at least 1)", parseIntInRange("--idle-ttl", 1, 604_800), D.idleTtlMs / 1000)
    .option("--body-limit <bytes>", "largest request body, 1 byte to 1 GiB", parseIntInRange("--body-limit", 1, 2 ** 30), D.bodyLimit)
    .option("--max-steps <n>", "most steps per episode and session", parseIntInRange("--max-steps", 1, 1_000_000_000), D.maxEpisodeSteps)
    .option("--max-accesses <n>", "most accesses of one /api/simulate replay, and of each workload a client's sweep generates", parseIntInRange("--max-accesses", 1, 2 ** 28), D.maxAccesses)
    .option("--max-pages <n>", "most pages of a workload a client asks to generate", parseIntInRange("--max-pages", 1, 2 ** 24), D.maxPages)
    .option("--max-sweep-rows <n>", "most runs of one /api/sweep sweep", parseIntInRange("--max-sweep-rows", 1, 10_000_000), D.maxSweepRows)
    .option("--sweep-threads <n>", "worker threads per /api/sweep sweep", parseIntInRange("--sweep-threads", 1, 1_024), D.sweepThreads)
    .option("--allow-origin <origin>", "a web origin (https://example.org) whose pages may call the server, repeatable; its own is always allowed",
      (value: string, previous: string[]) => [...previous, originOf(value)], [])
    .option("--env <id>", "the env OpenEnv's protocol serves at the root (/reset, /step, /state, /ws …); every env has its own under /openenv/<id>", D.defaultEnv)
    .option("--request-timeout <s>", "seconds a whole request may take to arrive (its headers a third of it); a slower client gets 408", parseIntInRange("--request-timeout", 1, 3_600), D.requestTimeoutMs / 1000)
    .action(async (opts: ServeOptions) => {
      if (opts.host.trim() === "") throw new KvsimInputError("--host: give an address (127.0.0.1 for this machine only, 0.0.0.0 for every interface)");
      try {
        envSpec(opts.env); // checked before the server is built or binds
      } catch (err) {
        throw new KvsimInputError(`--env: ${(err as Error).message}`);
      }
      const loopback = ["127.0.0.1", "localhost", "::1"].includes(opts.host);
      // Loaded only here: the rest of the CLI does not pay for the HTTP stack.
      const { buildServer } = await loadCompiled<typeof import("../server/app.js")>("server/app.js");
      const app = await buildServer({ maxSessions: opts.maxSessions, idleTtlMs: opts.idleTtl * 1000, bodyLimit: opts.bodyLimit, maxEpisodeSteps: opts.maxSteps, maxAccesses: opts.maxAccesses, maxPages: opts.maxPages,
        maxSweepRows: opts.maxSweepRows, sweepThreads: opts.sweepThreads, host: opts.host, allowedOrigins: opts.allowOrigin, defaultEnv: opts.env,
        requestTimeoutMs: opts.requestTimeout * 1000 });
      let address: string;
      try {
        address = await app.listen({ host: opts.host, port: opts.port });
      } catch (err) {
        // Closing removes what the server set up (its sweep directory) before saying why it cannot listen.
        await app.close();
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === "EADDRINUSE" ? "the port is in use" : code === "EACCES" ? "not allowed to bind it (a port below 1024 needs privileges)"
          : code === "EADDRNOTAVAIL" || code === "ENOTFOUND" ? "no such address on this machine" : (err as Error).message;
        throw new KvsimInputError(`cannot listen on ${opts.host}:${opts.port}: ${why}${code ? ` (${code})` : ""}`);
      }
      // Fastify reports one of a wildcard's addresses; say what was asked for.
      const shown = loopback ? address : `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${new URL(address).port}`;
      if (!loopback) {
        console.error(`kvsim: warning: serving on ${opts.host}, beyond this machine: anyone who can reach it can open sessions and run sweeps (kvsim has no authentication)`);
      }
      console.log(`kvsim serving on ${shown} (OpenAPI at ${shown}/openapi.json; OpenEnv's protocol for ${opts.env} at the root); Ctrl-C stops`);
      await new Promise<void>((resolve) => {
        const stop = () => void app.close().then(() => resolve());
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
