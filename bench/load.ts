import { Agent, request } from "node:http";
import type { FastifyInstance } from "fastify";

export interface LoadResult {
  steps: number;
  sessions: number;
  errors: number;
  seconds: number;
  stepsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Drives `steps` step calls spread over `sessions` concurrent sessions of `env` against a running
 * server (each session resets when its episode ends), over real HTTP; reports throughput and
 * latency percentiles. A non-2xx answer counts as an error.
 */
export async function loadTest(base: string, env: string, sessions: number, steps: number): Promise<LoadResult> {
  // node:http with keep-alive: on this machine undici's fetch costs several times more per call
  // than the server does, and would measure the client.
  const { hostname, port } = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: sessions });
  const send = (method: string, path: string, body?: unknown) => new Promise<{ ok: boolean; json: { session_id?: string; terminated?: boolean; truncated?: boolean } }>((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, agent, headers: body === undefined ? {} : { "content-type": "application/json" } }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (data += chunk));
      res.on("end", () => resolve({ ok: (res.statusCode ?? 500) < 300, json: JSON.parse(data) }));
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
  const post = (path: string, body: unknown) => send("POST", `/envs/${env}/${path}`, body);
  const latencies: number[] = [];
  let errors = 0;
  const perSession = Math.ceil(steps / sessions);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: sessions }, async (_, k) => {
    const reset = await post("reset", { seed: k });
    if (!reset.ok) return void (errors += perSession);
    const sid = reset.json.session_id!;
    for (let i = 0; i < perSession; i++) {
      const start = performance.now();
      const r = await post("step", { session_id: sid, action: i % 4 });
      latencies.push(performance.now() - start);
      if (!r.ok) errors++;
      else if (r.json.terminated || r.json.truncated) await post("reset", { seed: k + 1000 * (i + 1), session_id: sid });
    }
    await send("DELETE", `/sessions/${sid}`);
  }));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { steps: latencies.length, sessions, errors, seconds, stepsPerSecond: latencies.length / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99) };
}

export async function withServer<T>(build: () => Promise<FastifyInstance>, run: (base: string) => Promise<T>): Promise<T> {
  const app = await build();
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  try {
    return await run(base);
  } finally {
    await app.close();
  }
}
