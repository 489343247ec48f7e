import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface RedisServer {
  url(db: number, password?: string): string;
  port: number;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const server = createServer();
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
  server.on("error", reject);
});

/**
 * Starts Debian's redis-server on 127.0.0.1 without persistence. A missing binary fails loudly
 * (the distributed-sweep tests must not pass by skipping).
 */
export async function startRedis(options: { password?: string; tls?: { certFile: string; keyFile: string } } = {}): Promise<RedisServer> {
  if (spawnSync("redis-server", ["--version"]).error) {
    throw new Error("redis-server not found: the distributed-sweep tests need Debian's redis-server (apt-get install -y redis-server; .ci/run does it)");
  }
  const port = await freePort();
  const args = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  // With TLS the plain port is closed: every client must speak TLS.
  if (options.tls) args.push("--port", "0", "--tls-port", String(port), "--tls-cert-file", options.tls.certFile, "--tls-key-file", options.tls.keyFile, "--tls-auth-clients", "no");
  else args.push("--port", String(port));
  if (options.password) args.push("--requirepass", options.password);
  const child: ChildProcess = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ready to accept connections")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return {
    port,
    url: (db, password) => `${options.tls ? "rediss" : "redis"}://${password ? `:${password}@` : ""}127.0.0.1:${port}/${db}`,
    stop: () => new Promise((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    }),
  };
}
