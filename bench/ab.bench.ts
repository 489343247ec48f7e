/**
 * `npm run bench:ab -- [--policies lru,heavy_hitter] [--rounds 5] [--tiers 4] [--prefetch] A B [...]`: the
 * in-process A/B the commit messages quote. Each of A, B, … is a built engine (`.wasm` file) or a
 * git revision, whose `assembly/` is compiled here with this checkout's AssemblyScript. The
 * builds replay the bench's 10M-access Zipf trace (`ZIPF_BENCH_SCENARIO`, or its first `--tiers`
 * tiers; `--prefetch`: with prefetch on, 2 candidates per access, as the bench's prefetch row) alternately in one process, after one untimed round that also checks they give
 * identical metrics; each figure is the median of the rounds' replay-only rates. The machine's
 * speed moves ~2× within minutes, so only builds alternated like this compare fairly.
 *
 * The TypeScript host is this checkout's: a revision whose engine exports differ cannot be loaded.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { simulate } from "../src/simulate.js";
import { generateWorkload } from "../src/workloads/registry.js";
import { instantiateEngine } from "../src/wasm/engine-module.js";
import { POLICIES } from "../src/policies/registry.js";
import { median } from "./median.js";
import { ZIPF_BENCH_SCENARIO } from "./scenarios.js";

function usage(message: string): never {
  console.error(`bench:ab: ${message}\nusage: npm run bench:ab -- [--policies p,q] [--rounds N] [--tiers 1-4] [--prefetch] A B [...]  (A, B: .wasm files or git revisions)`);
  process.exit(2);
}

/** Compiles a git revision's engine into a temporary directory; returns the wasm bytes. */
function buildRevision(revision: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "kvsim-ab-"));
  try {
    const archive = execFileSync("git", ["archive", revision, "assembly", "asconfig.json"], { maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    const asc = resolve("node_modules/.bin/asc");
    execFileSync(asc, ["assembly/index.ts", "--target", "release", "-o", "engine.wasm"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    return readFileSync(join(dir, "engine.wasm"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function loadBuild(spec: string): Buffer {
  if (spec.endsWith(".wasm")) {
    if (!existsSync(spec)) usage(`no such file: ${spec}`);
    return readFileSync(spec);
  }
  try {
    return buildRevision(spec);
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

const { values, positionals } = parseCommandLine();
const rounds = Number(values.rounds);
const tiers = Number(values.tiers);
const policies = values.policies.split(",");
if (positionals.length < 2) usage("give at least two builds");
if (!Number.isInteger(rounds) || rounds < 1) usage(`--rounds must be a positive integer, got ${values.rounds}`);
if (!Number.isInteger(tiers) || tiers < 1 || tiers > ZIPF_BENCH_SCENARIO.tiers.length) usage(`--tiers must be 1 to ${ZIPF_BENCH_SCENARIO.tiers.length}, got ${values.tiers}`);
for (const p of policies) if (!POLICIES.some((d) => d.name === p)) usage(`unknown policy ${p}`);

const engines = positionals.map((spec) => instantiateEngine(new WebAssembly.Module(new Uint8Array(loadBuild(spec)))));
const scenario = {
  ...ZIPF_BENCH_SCENARIO,
  name: `${ZIPF_BENCH_SCENARIO.name}-${tiers}`,
  tiers: ZIPF_BENCH_SCENARIO.tiers.slice(0, tiers),
  prefetch: { enabled: values.prefetch, maxCandidates: 2 },
};
const trace = generateWorkload("zipf", { pages: 1_000_000, length: 10_000_000, alpha: 0.99, seed: 1, scalars: 2048 });
const accesses = trace.accesses.length;

for (const policy of policies) {
  const rates = positionals.map((): number[] => []);
  const metrics: string[] = [];
  for (let round = -1; round < rounds; round++) {
    engines.forEach((engine, i) => {
      const run = simulate({ scenario, trace, policy, profile: "kvsim", engine });
      if (round < 0) metrics.push(JSON.stringify(run.metrics));
      else rates[i]!.push(accesses / (run.replayMs / 1000));
    });
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
