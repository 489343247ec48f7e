import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { packageRoot, packageVersion } from "../../src/package-info.js";
import { originOf, planSweep } from "../../src/sweep/plan-files.js";
import { redactRedisUrl } from "../../src/sweep/remote/redis-url.js";
import { runSweep } from "../../src/sweep/run-sweep.js";
import { readSweepSpec, type SweepSpecInput } from "../../src/sweep/spec.js";
import { runCli } from "../helpers/cli.js";
import { startRedis, type RedisServer } from "../../bench/redis-server.js";
import { planServingSweep } from "../../src/timed/sweep/plan-files.js";
import { runServingSweep } from "../../src/timed/sweep/run.js";
import { parseServingSweepSpec } from "../../src/timed/sweep/spec.js";

const kvsim = join(packageRoot(), "bin", "kvsim.js");
const work = mkdtempSync(join(tmpdir(), "kvsim-redis-"));
let redis: RedisServer;

/** Rows of about 0.1 s each, one per job: long enough to kill a process in the middle. */
const spec = (name: string): SweepSpecInput => ({
  name,
  scenarios: ["small_fp16_prefetch", "constrained"],
  workloads: [{ name: "zipf", params: { pages: 20000, length: 600000 } }],
  policies: ["lru", "s3fifo", "random"],
  seeds: [1, 2, 3, 4],
});

interface Proc {
  child: ChildProcess;
  lines: string[];
  exit: Promise<number | null>;
  waitFor(pattern: RegExp, count?: number, timeoutMs?: number): Promise<void>;
}

/** Every process a test started; afterEach kills those still running, so a failed test leaves none behind. */
const processes: ChildProcess[] = [];

function start(args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(process.execPath, [kvsim, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  processes.push(child);
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffer = "";
    stream.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      lines.push(...parts);
    });
  }
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child, lines, exit,
    waitFor: (pattern, count = 1, timeoutMs = 60_000) => new Promise((resolve, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        if (lines.filter((l) => pattern.test(l)).length >= count) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() - t0 > timeoutMs) {
          clearInterval(poll);
          reject(new Error(`timed out waiting for ${count}× ${pattern}; output:\n${lines.join("\n")}`));
        }
      }, 20);
    }),
  };
}

/** A worker of one thread. A short lock makes a killed worker's job come back quickly; tests that kill none use a long one. */
const worker = (url: string, env?: NodeJS.ProcessEnv, lockMs = 10_000) => start(["worker", "--redis", url, "--concurrency", "1", "--lock-ms", String(lockMs)], env);

function writeSpec(name: string): string {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec(name)));
  return file;
}

/** The artifacts a local `--threads 1` run writes (all but run_metadata.json, which records how it ran). */
async function localArtifacts(specFile: string): Promise<Record<string, string>> {
  const out = join(work, `${specFile}-local`);
  await runSweep(await planSweep(readSweepSpec(specFile), originOf(specFile)), { outDir: out, threads: 1 });
  return artifacts(out);
}

const artifacts = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).filter((f) => f !== "run_metadata.json").sort().map((f) => [f, readFileSync(join(dir, f), "utf8")]));

const startedJobs = (proc: Proc): string[] => proc.lines.map((l) => /^job (\S+) started/.exec(l)?.[1]).filter((id): id is string => id !== undefined);

beforeAll(async () => {
  redis = await startRedis();
});

afterEach(() => {
  for (const child of processes.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

afterAll(async () => {
  await redis?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("distributed sweeps on BullMQ and Redis", () => {
  it("runs on two worker processes, survives one being killed mid-run, and writes the local run's artifacts byte for byte", async () => {
    const url = redis.url(1);
    const specFile = writeSpec("two-workers");
    const a = worker(url, undefined, 1_500);
    const b = worker(url, undefined, 1_500);
    await Promise.all([a.waitFor(/^kvsim worker /), b.waitFor(/^kvsim worker /)]);
    const out = join(work, "two-workers-out");
    const coordinator = start(["sweep", specFile, "--backend", url, "--out", out, "--json"]);
    await a.waitFor(/^job \S+ started/, 3);
    a.child.kill("SIGKILL");
    await a.exit;
    // The job it was running when it died (started, never done), if the kill did not fall between two jobs.
    const orphan = startedJobs(a).find((id) => !a.lines.some((l) => l.startsWith(`job ${id} done`)));
    expect(await coordinator.exit).toBe(0);
    b.child.kill("SIGTERM");
    await b.exit;
    // The job the killed worker held was taken over by the other one after its lock expired.
    if (orphan) expect(startedJobs(b)).toContain(orphan);
    expect(new Set([...startedJobs(a), ...startedJobs(b)]).size).toBe(24);
    expect(artifacts(out)).toEqual(await localArtifacts(specFile));
  });

  it("completes a sweep whose coordinator died when the same command runs again, repeating no finished job", async () => {
    const url = redis.url(2);
    const specFile = writeSpec("coordinator-dies");
    const w = worker(url);
    await w.waitFor(/^kvsim worker /);
    const out = join(work, "coordinator-dies-out");
    const first = start(["sweep", specFile, "--backend", url, "--out", out]);
    await w.waitFor(/^job \S+ done/, 4);
    first.child.kill("SIGKILL");
    await first.exit;
    const second = start(["sweep", specFile, "--backend", url, "--out", out]);
    expect(await second.exit).toBe(0);
    w.child.kill("SIGTERM");
    await w.exit;
    const started = startedJobs(w);
    expect(new Set(started).size).toBe(started.length);
    expect(started).toHaveLength(24);
    expect(artifacts(out)).toEqual(await localArtifacts(specFile));
  });

  it("reports a job that fails on every attempt (exit 1, rows named) and retries it on the next run", async () => {
    const url = redis.url(3);
    const specFile = writeSpec("failing");
    const out = join(work, "failing-out");
    const coordinator = start(["sweep", specFile, "--backend", url, "--out", out]);
    await coordinator.waitFor(/no kvsim \S+ worker is connected/);
    // The traces vanish from Redis (evicted, flushed) before any worker could read them.
    const client = new Redis(url);
    const jobsQueued = async () => (await client.keys(`bull:kvsim-sweeps-${packageVersion()}:sweep-*`)).length >= 24;
    for (const t0 = Date.now(); !(await jobsQueued()); ) {
      if (Date.now() - t0 > 30_000) throw new Error("the coordinator did not queue its 24 jobs");
      await new Promise((r) => setTimeout(r, 50));
    }
    const keys = await client.keys("kvsim:trace:*");
    expect(keys).toHaveLength(4);
    await client.del(...keys);
    client.disconnect();
    const w = worker(url);
    expect(await coordinator.exit).toBe(1);
    expect(coordinator.lines.join("\n")).toMatch(/row 0 \(small_fp16_prefetch\/zipf\(pages=20000,length=600000\)\/lru\/1\) failed: worker failed: job sweep-\S+ failed after 3 attempts: trace \S+ is not in Redis/);
    const rerun = start(["sweep", specFile, "--backend", url, "--out", out]);
    expect(await rerun.exit).toBe(0);
    w.child.kill("SIGTERM");
    await w.exit;
    expect(artifacts(out)).toEqual(await localArtifacts(specFile));
  });
});

describe("Redis URLs and secrets", () => {
  let secured: RedisServer;
  const password = "s3cret-Pa55";

  beforeAll(async () => {
    secured = await startRedis({ password });
  });
  afterAll(() => secured?.stop());

  it("runs a serving sweep on a worker process, rerun finds its finished jobs, and writes the local run's artifacts byte for byte", async () => {
    const url = redis.url(5);
    const specFile = join(work, "serving.json");
    writeFileSync(specFile, JSON.stringify({
      name: "serving", kind: "serving",
      workloads: [{ spec: { requests: 120, arrivals: { kind: "poisson", qps: 4 }, prompt: { kind: "uniform", min: 10, max: 500 }, output: { kind: "uniform", min: 1, max: 80 } }, label: "w" }],
      deployments: [{ model: "llama-2-7b", gpu: "a100-80gb" }], schedulers: ["vllm", "sarathi"], qps: [2, 8], seeds: [1, 2, 3],
    }));
    const w = worker(url);
    await w.waitFor(/^kvsim worker /);
    const out = join(work, "serving-out");
    const first = start(["sweep", specFile, "--backend", url, "--out", out, "--json"]);
    expect(await first.exit).toBe(0);
    const again = start(["sweep", specFile, "--backend", url, "--out", join(work, "serving-again"), "--json"]);
    expect(await again.exit).toBe(0);
    w.child.kill("SIGTERM");
    await w.exit;
    // The second run's jobs were the first's, found finished: the worker ran each once.
    expect(startedJobs(w).length).toBe(new Set(startedJobs(w)).size);
    const local = join(work, "serving-local");
    await runServingSweep(await planServingSweep(parseServingSweepSpec(JSON.parse(readFileSync(specFile, "utf8")), specFile), originOf(specFile)), { outDir: local, threads: 1 });
    expect(artifacts(out)).toEqual(artifacts(local));
    expect(artifacts(join(work, "serving-again"))).toEqual(artifacts(local));
  });

  it("authenticates with the URL's password and never prints or stores it", async () => {
    const url = secured.url(0, password);
    const w = worker(url);
    await w.waitFor(/^kvsim worker /);
    const specFile = join(work, "small.json");
    writeFileSync(specFile, JSON.stringify({ name: "small", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["lru", "fifo"] }));
    const out = join(work, "secret-out");
    const coordinator = start(["sweep", specFile, "--backend", url, "--out", out]);
    expect(await coordinator.exit).toBe(0);
    w.child.kill("SIGTERM");
    await w.exit;
    const everything = [...coordinator.lines, ...w.lines, ...readdirSync(out).map((f) => readFileSync(join(out, f), "utf8"))].join("\n");
    expect(everything).not.toContain(password);
    expect(JSON.parse(readFileSync(join(out, "run_metadata.json"), "utf8")).execution).toBe(`BullMQ on redis://:***@127.0.0.1:${secured.port}/0`);
  });

  it("fails at once with exit 2 on a wrong password, an unreachable server or a database past the server's count, leaving no output directory", async () => {
    const specFile = join(work, "small.json");
    for (const [url, message] of [
      [secured.url(0, "Wr0ngPa55word"), /WRONGPASS/], [`redis://127.0.0.1:1/0`, /ECONNREFUSED/],
      [redis.url(0).replace(/\/0$/, "/99"), /DB index is out of range/],
    ] as const) {
      const out = join(work, "unusable-out");
      const r = await runCli(["sweep", specFile, "--backend", url, "--out", out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout + r.stderr).not.toContain("Wr0ngPa55word");
      expect(() => readdirSync(out)).toThrow();
    }
  });

  it("keeps the password out of the errors of connections that fail mid-run (the password changed)", async () => {
    const url = secured.url(5, password);
    const specFile = join(work, "small.json");
    const coordinator = start(["sweep", specFile, "--backend", url, "--out", join(work, "rotated-out")]);
    await coordinator.waitFor(/no kvsim \S+ worker is connected/);
    const admin = new Redis(url);
    await admin.config("SET", "requirepass", "an0ther-Pa55");
    await admin.client("KILL", "TYPE", "normal");
    await coordinator.waitFor(/WRONGPASS/, 1, 20_000);
    coordinator.child.kill("SIGKILL");
    await coordinator.exit;
    const restore = new Redis(secured.url(5, "an0ther-Pa55"));
    await restore.config("SET", "requirepass", password);
    restore.disconnect();
    admin.disconnect();
    expect(coordinator.lines.join("\n")).not.toContain(password);
    expect(coordinator.lines.join("\n")).toContain(`Redis at redis://:***@127.0.0.1:${secured.port}/5: WRONGPASS`);
  });

  it("masks user, password and query (ioredis reads ?password= too) wherever a URL is shown", () => {
    expect(redactRedisUrl("redis://admin:pw@redis.internal:6379/2?password=also-secret")).toBe("redis://***:***@redis.internal:6379/2?***");
    expect(redactRedisUrl("rediss://:pw@10.0.0.5:6380/0")).toBe("rediss://:***@10.0.0.5:6380/0");
    expect(redactRedisUrl("redis://127.0.0.1:6379/0")).toBe("redis://127.0.0.1:6379/0");
  });

  it("rejects malformed backends and --threads with --backend as usage errors", async () => {
    const specFile = join(work, "small.json");
    for (const [args, message] of [
      [["--backend", "http://127.0.0.1:6379"], /unsupported scheme "http:"/],
      [["--backend", "redis://127.0.0.1:6379/zero"], /must be a database number/],
      [["--backend", "redis://127.0.0.1:6379/0", "--threads", "2"], /--threads applies to local sweeps/],
    ] as const) {
      const r = await runCli(["sweep", specFile, ...args, "--out", join(work, "never")]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe("Redis over TLS (rediss://)", () => {
  let tlsRedis: RedisServer;
  const certs = join(work, "tls");

  /** A throwaway CA and a server certificate for 127.0.0.1, made with the openssl command. */
  function makeCertificates(): void {
    mkdirSync(certs, { recursive: true });
    const run = (args: string[]) => {
      const r = spawnSync("openssl", args, { cwd: certs, encoding: "utf8" });
      if (r.error || r.status !== 0) throw new Error(`openssl ${args[0]} failed (the TLS test needs the openssl command): ${r.error?.message ?? r.stderr}`);
    };
    run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=kvsim-test-ca"]);
    run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
    writeFileSync(join(certs, "ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
    run(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf"]);
  }

  beforeAll(async () => {
    makeCertificates();
    tlsRedis = await startRedis({ tls: { certFile: join(certs, "server.crt"), keyFile: join(certs, "server.key") } });
  });
  afterAll(() => tlsRedis?.stop());

  it("runs a sweep over TLS with the private CA given by NODE_EXTRA_CA_CERTS, and refuses an unverifiable server", async () => {
    const url = tlsRedis.url(0);
    expect(url.startsWith("rediss://")).toBe(true);
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(certs, "ca.crt") };
    const specFile = join(work, "tls.json");
    writeFileSync(specFile, JSON.stringify({ name: "tls", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["lru", "fifo"] }));
    const untrusted = start(["sweep", specFile, "--backend", url, "--out", join(work, "tls-untrusted")]);
    expect(await untrusted.exit).toBe(2);
    expect(untrusted.lines.join("\n")).toMatch(/cannot use Redis at rediss:\/\/127\.0\.0\.1:\d+\/0: .*(certificate|self.signed)/i);
    const w = worker(url, env);
    await w.waitFor(/^kvsim worker /);
    const out = join(work, "tls-out");
    const coordinator = start(["sweep", specFile, "--backend", url, "--out", out], env);
    expect(await coordinator.exit).toBe(0);
    w.child.kill("SIGTERM");
    await w.exit;
    expect(artifacts(out)).toEqual(await localArtifacts(specFile));
  });
});
