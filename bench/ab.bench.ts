/**
 * `npm run bench:ab -- [--policies lru,heavy_hitter] [--rounds 5] [--tiers 4] [--prefetch] A B [...]`: the
 * A/B the commit messages quote. Each of A, B, … is a built engine (`.wasm` file, run by this
 * checkout's host) or a git revision, whose engine and TypeScript host are built here with this
 * checkout's compilers, so revisions from before a change of the engine's exports still compare.
 * Each build runs in a process of its own (ab-driver.ts); the builds replay the bench's 10M-access
 * Zipf trace (`ZIPF_BENCH_SCENARIO`, or its first `--tiers` tiers; `--prefetch`: with prefetch on, 2
 * candidates per access, as the bench's prefetch row) one after the other, round after round, after
 * one untimed round that also checks they give identical metrics. Each figure is the median of the
 * rounds' replay-only rates. The machine's speed moves ~2× within minutes, so only builds
 * alternated like this compare fairly.
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { POLICIES } from "../src/policies/registry.js";
import { packageRoot } from "../src/package-info.js";
import type { DriverReply, DriverRequest } from "./ab-driver.js";
import { median } from "./median.js";
import { ZIPF_BENCH_SCENARIO } from "./scenarios.js";

const temporary: string[] = [];
const children: ChildProcess[] = [];

function cleanUp(): void {
  for (const child of children) child.kill();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
}

function usage(message: string): never {
  cleanUp();
  console.error(`bench:ab: ${message}\nusage: npm run bench:ab -- [--policies p,q] [--rounds N] [--tiers 1-4] [--prefetch] A B [...]  (A, B: .wasm files or git revisions)`);
  process.exit(2);
}

/** Builds a git revision's engine and host in a temporary directory; returns its dist directory. */
function buildRevision(revision: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kvsim-ab-"));
  temporary.push(dir);
  const root = packageRoot();
  // scripts/ is absent before the engine's policy catalog was generated at build time.
  const tracked = execFileSync("git", ["ls-tree", "--name-only", revision], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).split("\n");
  const parts = ["assembly", "src", "bench", "scripts", "asconfig.json", "tsconfig.json", "package.json"].filter((p) => tracked.includes(p));
  const archive = execFileSync("git", ["archive", revision, ...parts], { cwd: root, maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  // The revision's own engine build (whatever its build:wasm does), then its host.
  execFileSync("npm", ["run", "--silent", "build:wasm"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  execFileSync(resolve(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  return join(dir, "dist");
}

/** The host directory (and engine file, for a .wasm build) a driver loads. */
function host(spec: string): string[] {
  if (spec.endsWith(".wasm")) {
    if (!existsSync(spec)) usage(`no such file: ${spec}`);
    return [join(packageRoot(), "dist"), resolve(spec)];
  }
  try {
    return [buildRevision(spec)];
  } catch (error) {
    return usage(`cannot build revision ${spec}: ${(error as Error).message.split("\n")[0]}`);
  }
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        policies: { type: "string", default: "heavy_hitter,predictive,lru" },
        rounds: { type: "string", default: "5" },
        tiers: { type: "string", default: String(ZIPF_BENCH_SCENARIO.tiers.length) },
        prefetch: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
}

/** A driver process, started and ready; `ask` sends it one request and waits for the reply. */
async function startDriver(args: string[]): Promise<(request: DriverRequest) => Promise<DriverReply>> {
  const child = fork(join(packageRoot(), "dist", "bench", "ab-driver.js"), args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.push(child);
  let pending: { resolve(reply: DriverReply): void; reject(error: Error): void } | undefined;
  child.on("message", (reply) => pending?.resolve(reply as DriverReply));
  child.on("exit", (code) => pending?.reject(new Error(`a build's driver exited with code ${code}`)));
  const next = () => new Promise<DriverReply>((resolve, reject) => (pending = { resolve, reject }));
  await next();
  return (request) => {
    const reply = next();
    child.send(request);
    return reply;
  };
}

const { values, positionals } = parseCommandLine();
const rounds = Number(values.rounds);
const tiers = Number(values.tiers);
const policies = values.policies.split(",");
if (positionals.length < 2) usage("give at least two builds");
if (!Number.isInteger(rounds) || rounds < 1) usage(`--rounds must be a positive integer, got ${values.rounds}`);
if (!Number.isInteger(tiers) || tiers < 1 || tiers > ZIPF_BENCH_SCENARIO.tiers.length) usage(`--tiers must be 1 to ${ZIPF_BENCH_SCENARIO.tiers.length}, got ${values.tiers}`);
for (const p of policies) if (!POLICIES.some((d) => d.name === p)) usage(`unknown policy ${p}`);

const hosts = positionals.map(host);
const scenario = {
  ...ZIPF_BENCH_SCENARIO,
  name: `${ZIPF_BENCH_SCENARIO.name}-${tiers}`,
  tiers: ZIPF_BENCH_SCENARIO.tiers.slice(0, tiers),
  prefetch: { enabled: values.prefetch, maxCandidates: 2 },
};

try {
  const drivers: Awaited<ReturnType<typeof startDriver>>[] = [];
  for (const args of hosts) drivers.push(await startDriver(args));
  for (const policy of policies) {
    const rates = positionals.map((): number[] => []);
    const metrics: string[] = [];
    for (let round = -1; round < rounds; round++) {
      for (const [i, ask] of drivers.entries()) {
        const reply = await ask({ policy, scenario });
        if (reply.error !== undefined) throw new Error(`${positionals[i]}: ${reply.error}`);
        if (round < 0) metrics.push(reply.metrics!);
        else rates[i]!.push(reply.rate!);
      }
    }
    const same = metrics.every((m) => m === metrics[0]);
    const base = median(rates[0]!);
    const cells = positionals.map((spec, i) => {
      const m = median(rates[i]!);
      const ratio = i === 0 ? "" : ` (${(m / base).toFixed(3)}×)`;
      return `${spec} ${(m / 1e6).toFixed(2)}M${ratio} [${rates[i]!.map((r) => (r / 1e6).toFixed(2)).join(" ")}]`;
    });
    console.log(`${policy}: ${cells.join(" | ")} — metrics ${same ? "identical" : "DIFFER"}`);
  }
} catch (error) {
  console.error(`bench:ab: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
