import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

/**
 * One table of bad inputs for every command: each must exit 2 with one message naming the problem,
 * print no stack trace, and write nothing (every output goes under `out`, which must stay empty).
 */
const root = mkdtempSync(join(tmpdir(), "kvsim-bad-inputs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MOONCAKE = "tests/fixtures/mooncake/synthetic_trace.jsonl";
const VIDUR = "tests/fixtures/timed/vidur-5.csv";
const PAGES = "tests/fixtures/traces/rag-burst.csv";
const RECORDING = "tests/fixtures/neural-paged-attention/scripted_easy.jsonl";

/** Input files the cases read, written once under `root/in` (never under an output directory). */
const input = join(root, "in");
mkdirSync(input);
const file = (name: string, text: string): string => {
  writeFileSync(join(input, name), text);
  return join(input, name);
};
const BOM_SPEC = file("bom-spec.json", "\uFEFF{\"name\": 3}");
const BAD_WORKLOAD = file("workload.json", JSON.stringify({ arrivals: { kind: "poisson", qps: -1 }, requests: 10 }));
const EMPTY = file("empty.jsonl", "");
const NOT_JSON = file("not.json", "{ nope");
const WRONG_PAGE = file("wrong-page.jsonl", "{\"page\": true}\n");
/** A serving sweep of one tiny workload with `fleet`'s fields (instances, routers, sessionAffinity). */
const fleetSpec = (name: string, fleet: Record<string, unknown>): string => file(name, JSON.stringify({
  name: "fleet", kind: "serving", workloads: [{ spec: { requests: 5, arrivals: { kind: "poisson", qps: 1 }, prompt: { kind: "fixed", value: 16 }, output: { kind: "fixed", value: 4 } }, label: "tiny" }],
  deployments: [{ model: "llama-3-8b", gpu: "h100-sxm" }], schedulers: ["vllm"], ...fleet,
}));
const ROUTERS_ALONE = fleetSpec("routers-alone.json", { routers: ["kv-aware"] });
const UNKNOWN_ROUTER = fleetSpec("unknown-router.json", { instances: [2], routers: ["round-robin", "nope"] });
const DUPLICATE_INSTANCES = fleetSpec("duplicate-instances.json", { instances: [2, 4, 2] });
const TOO_MANY_INSTANCES = fleetSpec("too-many-instances.json", { instances: [65] });
const UNKNOWN_AFFINITY = fleetSpec("unknown-affinity.json", { instances: [2], sessionAffinity: ["sticky"] });
mkdirSync(join(input, "foreign"));
file("foreign/run_metadata.json", JSON.stringify({ specHash: 5 }));
mkdirSync(join(input, "torn"));
file("torn/run_metadata.json", "{\"specHash\": \"ab");

type Case = [name: string, args: (out: string) => string[], message: RegExp];

const cases: Case[] = [
  // sweep
  ["sweep: spec missing", (o) => ["sweep", join(input, "none.json"), "--out", join(o, "s")], /cannot read .*none\.json: ENOENT/],
  ["sweep: spec not JSON", (o) => ["sweep", NOT_JSON, "--out", join(o, "s")], /not\.json:1:\d+: invalid JSON/],
  ["sweep: spec with a byte-order mark and a bad field", (o) => ["sweep", BOM_SPEC, "--out", join(o, "s")], /bom-spec\.json.*name/],
  ["sweep: --threads 0", (o) => ["sweep", "--preset", "policy-comparison", "--threads", "0", "--out", join(o, "s")], /--threads/],
  ["sweep: unknown preset", (o) => ["sweep", "--preset", "nope", "--out", join(o, "s")], /preset "nope"/],
  ["sweep: --out holding a run_metadata.json that is not a sweep's", () => ["sweep", "--preset", "policy-comparison", "--out", join(input, "foreign")], /foreign\/run_metadata\.json: not a sweep's metadata \(no "specHash" string\)/],
  ["sweep: --out holding a run_metadata.json that is not JSON", () => ["sweep", "--preset", "policy-comparison", "--out", join(input, "torn")], /torn\/run_metadata\.json: not a sweep's metadata \(invalid JSON\)/],
  ["sweep: --out is a file", () => ["sweep", "--preset", "policy-comparison", "--out", PAGES], /--out .*not a directory/],
  ["sweep: routers without instances", (o) => ["sweep", ROUTERS_ALONE, "--out", join(o, "s")], /routers-alone\.json: routers: routers and sessionAffinity route among a fleet's instances: give "instances"/],
  ["sweep: an unknown router", (o) => ["sweep", UNKNOWN_ROUTER, "--out", join(o, "s")], /unknown-router\.json: routers\.1: unknown router "nope" \(round-robin, least-loaded, kv-aware\)/],
  ["sweep: an instance count twice", (o) => ["sweep", DUPLICATE_INSTANCES, "--out", join(o, "s")], /duplicate-instances\.json: instances\.2: duplicate 2 \(same as instances\.0\)/],
  ["sweep: more instances than a fleet holds", (o) => ["sweep", TOO_MANY_INSTANCES, "--out", join(o, "s")], /too-many-instances\.json.*instances\.0/],
  ["sweep: an unknown session affinity", (o) => ["sweep", UNKNOWN_AFFINITY, "--out", join(o, "s")], /unknown-affinity\.json.*sessionAffinity\.0/],
  // run
  ["run: trace of the wrong type", () => ["run", "--scenario", "small_fp16_prefetch", "--trace", WRONG_PAGE, "--policy", "lru"], /wrong-page\.jsonl:1: .*"page" must be/],
  ["run: empty trace", () => ["run", "--scenario", "small_fp16_prefetch", "--trace", EMPTY, "--policy", "lru"], /empty\.jsonl/],
  ["run: trace is a directory", () => ["run", "--scenario", "small_fp16_prefetch", "--trace", input, "--policy", "lru"], /EISDIR \(a directory, where a file was expected\)/],
  // mrc
  ["mrc: unknown policy", (o) => ["mrc", "--trace", PAGES, "--policy", "lru,nope", "--sizes", "5%", "--out", join(o, "m")], /--policy: unknown policy "nope"/],
  ["mrc: a size over 100%", (o) => ["mrc", "--trace", PAGES, "--policy", "lru", "--sizes", "150%", "--out", join(o, "m")], /--sizes: "150%"/],
  ["mrc: a trace that does not parse", (o) => ["mrc", "--trace", WRONG_PAGE, "--policy", "lru", "--sizes", "5%", "--out", join(o, "m")], /--trace: .*wrong-page\.jsonl:1/],
  // prefix-replay
  ["prefix-replay: capacity not a number", () => ["prefix-replay", "--trace", MOONCAKE, "--capacity-blocks", "lots"], /--capacity-blocks/],
  ["prefix-replay: unknown policy", () => ["prefix-replay", "--trace", MOONCAKE, "--capacity-blocks", "10", "--policy", "nope"], /unknown policy "nope"/],
  ["prefix-replay: a prototype name as policy", () => ["prefix-replay", "--trace", MOONCAKE, "--capacity-blocks", "10", "--policy", "constructor"], /unknown policy "constructor"/],
  ["prefix-replay: missing trace", () => ["prefix-replay", "--trace", join(input, "none.jsonl"), "--capacity-blocks", "10"], /ENOENT/],
  // serving
  ["serving simulate: unknown model", () => ["serving", "simulate", "--trace", VIDUR, "--model", "nope", "--gpu", "h100-sxm"], /model "nope"/],
  ["serving simulate: --tp 0", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--tp", "0"], /--tp/],
  ["serving simulate: bad workload spec", () => ["serving", "simulate", "--workload", BAD_WORKLOAD, "--model", "llama-3-8b", "--gpu", "h100-sxm"], /workload\.json/],
  ["serving simulate: --out is a file", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--out", PAGES], /--out .*not a directory/],
  ["serving simulate: --seed past 32 bits", () => ["serving", "simulate", "--workload", BAD_WORKLOAD, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--seed", "1e30"], /--seed must be an integer/],
  ["serving simulate: more KV blocks than the engine holds", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--kv-blocks", "67108864"], /--kv-blocks must be an integer from 1 to 2,097,152/],
  ["serving simulate: a plan of more KV blocks than the engine holds", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h200", "--tp", "8", "--block-size", "1"], /KV blocks of 1 tokens is more than the simulator holds \(2,097,152\)/],
  ["serving simulate: a file as the profile tables' directory", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--time-model", PAGES], /rag-burst\.csv is a file; the profile time model reads a directory of Vidur's tables/],
  ["serving simulate: a host link without a host tier", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--host-link", "pcie5"], /--host-link, --offload, --load-overlap, --preemption and --host-load shape a host tier: give --host-blocks/],
  ["serving simulate: swap preemption without a host tier", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--preemption", "swap"], /--preemption and --host-load shape a host tier: give --host-blocks/],
  ["serving simulate: a host eviction policy without a host tier", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--host-eviction", "fifo"], /--host-eviction evicts a host tier's blocks: give --host-blocks/],
  ["serving simulate: a host tier under sarathi", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--scheduler", "sarathi", "--host-blocks", "100"], /--host-blocks needs the vllm scheduler with prefix caching/],
  ["serving simulate: an unknown host link", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--host-blocks", "100", "--host-link", "usb2"], /--host-link must be pcie4, pcie5 or GB\/s/],
  ["serving simulate: --instances 0", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--instances", "0"], /--instances must be an integer from 1 to 64, got "0"/],
  ["serving simulate: more instances than a fleet holds", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--instances", "65"], /--instances must be an integer from 1 to 64, got "65"/],
  ["serving simulate: an unknown router", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--instances", "2", "--router", "nope"], /'--router <name>' argument 'nope' is invalid\. Allowed choices are round-robin, least-loaded, kv-aware/],
  ["serving simulate: --router without --instances", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--router", "kv-aware"], /--router routes among --instances: give --instances N/],
  ["serving simulate: an unknown session affinity", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--instances", "2", "--session-affinity", "sticky"], /'--session-affinity <mode>' argument 'sticky' is invalid\. Allowed choices are free, pinned/],
  ["serving simulate: --session-affinity without --instances", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--session-affinity", "pinned"], /--session-affinity pins sessions among --instances: give --instances N/],
  ["serving simulate: --out is a file, with --instances", () => ["serving", "simulate", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--instances", "2", "--out", PAGES], /--out .*not a directory/],
  ["serving capacity: no SLO", () => ["serving", "capacity", "--trace", VIDUR, "--model", "llama-3-8b", "--gpu", "h100-sxm", "--ttft-slo", "-1"], /slo/i],
  ["serving replay: empty recording", () => ["serving", "replay", EMPTY], /no step lines/],
  ["serving memory: unknown GPU", () => ["serving", "memory", "--model", "llama-3-8b", "--gpu", "z80"], /z80/],
  // episode and train
  ["episode: unknown env", () => ["episode", "--env", "nope"], /unknown environment "nope"/],
  ["episode: --episodes past its range", () => ["episode", "--env", "kvsim/Serving-easy-v0", "--episodes", "1e12"], /--episodes/],
  ["episode: weights for a heuristic agent", () => ["episode", "--env", "kvsim/Serving-easy-v0", "--agent", "vllm", "--weights", NOT_JSON], /weights/],
  ["episode: recording as weights", () => ["episode", "--env", "kvsim/Serving-easy-v0", "--agent", "dqn", "--weights", RECORDING], /scripted_easy\.jsonl/],
  ["train: --steps 0", (o) => ["train", "--agent", "dqn", "--env", "kvsim/Serving-easy-v0", "--steps", "0", "--out", join(o, "w.json")], /--steps/],
  ["train: --out is a directory", (o) => ["train", "--agent", "qlearning", "--env", "kvsim/Serving-easy-v0", "--steps", "10", "--out", o], /a directory, where a file was expected/],
  ["train: --curve under a file", (o) => ["train", "--agent", "qlearning", "--env", "kvsim/Serving-easy-v0", "--steps", "10", "--out", join(o, "w.json"), "--curve", join(PAGES, "c.svg")], /--curve .*ENOTDIR \(a part of the path is not a directory\)/],
  // eval
  ["eval: both a model and a policy", (o) => ["eval", "--model", "m", "--policy", "greedy", "--out", o], /exactly one of --model NAME or --policy NAME/],
  ["eval: a base URL that is not one", (o) => ["eval", "--model", "m", "-b", "notaurl", "--out", o], /--base-url: "notaurl" is not a URL/],
  ["eval: --env-args not JSON", (o) => ["eval", "--policy", "greedy", "--env-args", "{x", "--out", o], /--env-args/],
  // trace
  ["trace generate: unknown workload", (o) => ["trace", "generate", "--workload", "nope", "--out", join(o, "t.csv")], /unknown workload "nope"/],
  ["trace generate: length past its range", (o) => ["trace", "generate", "--workload", "zipf", "--workload-param", "length=1e12", "--out", join(o, "t.csv")], /"length" must be ≤/],
  ["trace generate: unknown format", (o) => ["trace", "generate", "--workload", "zipf", "--out", join(o, "t.xyz")], /format/],
  ["trace convert: output format unknown", (o) => ["trace", "convert", PAGES, join(o, "t.xyz")], /format/],
  ["trace convert: input missing", (o) => ["trace", "convert", join(input, "none.csv"), join(o, "t.jsonl")], /ENOENT/],
  ["trace info: not a trace", () => ["trace", "info", NOT_JSON], /not\.json/],
  // tokens
  ["tokens generate: context past its range", (o) => ["tokens", "generate", "--out", join(o, "t.kvtrace"), "--context", "1e12"], /--context|contextTokens/],
  ["tokens generate: sizes whose product is too large", (o) => ["tokens", "generate", "--out", join(o, "t.kvtrace"), "--layers", "1000", "--heads", "1000"], /floats of keys, values and queries, more than 268,435,456/],
  ["tokens evaluate: budgets outside (0, 1)", (o) => ["tokens", "evaluate", "--seeds", "1", "--budgets", "2", "--out", o], /--budgets: each must be a fraction in \(0, 1\)/],
  ["tokens evaluate: unknown policy", (o) => ["tokens", "evaluate", "--seeds", "1", "--policies", "nope", "--out", o], /nope/],
  ["tokens online: seeds not a list", () => ["tokens", "online", "--seeds", "x"], /--seeds: expected seeds like 1,2,5-8/],
  ["tokens train: --iterations 0", (o) => ["tokens", "train", "--iterations", "0", "--out", join(o, "w.json")], /--iterations/],
  ["tokens train: --threads 0", (o) => ["tokens", "train", "--threads", "0", "--out", join(o, "w.json")], /--threads/],
  // serve and worker
  ["serve: port past 65535", () => ["serve", "--port", "99999"], /--port must be an integer from 0 to 65,535/],
  ["serve: --body-limit 0", () => ["serve", "--body-limit", "0"], /--body-limit/],
  ["serve: empty --host", () => ["serve", "--host", ""], /--host/],
  ["worker: not a Redis URL", () => ["worker", "--redis", "http://x"], /redis/i],
  // the root
  ["unknown command", () => ["nope"], /unknown command 'nope'/],
];

describe("every command: bad input exits 2, with one message, no stack trace and nothing written", () => {
  let n = 0;
  it.each(cases)("%s", async (_name, args, message) => {
    const out = join(root, `out-${n++}`);
    mkdirSync(out);
    const r = await runCli(args(out));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // One message (a schema's several findings follow it, a line each), never two.
    expect(r.stderr.split("\n").filter((l) => /^(kvsim|error):/.test(l)), r.stderr).toHaveLength(1);
    expect(readdirSync(out)).toEqual([]);
  });
});
