import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { METRIC_ORDER } from "../../src/envs/agentic/rubric.js";
import { passAtK } from "../../src/eval/pass-at-k.js";
import { KVSIM_COLUMNS, type ResultsRow } from "../../src/eval/verifiers-output.js";
import { lastObservation, toolCallReply, type ReceivedRequest, type ScriptedReply } from "../helpers/chat-server.js";
import { runCli } from "../helpers/cli.js";
import { evalTestbed } from "../helpers/eval-testbed.js";

/**
 * results.jsonl and metadata.json of `kvsim eval` against the files verifiers' save_utils writes
 * (tests/fixtures/verifiers/README.md): every field verifiers writes is there with the same JSON
 * type, at every depth of its fixed-shape objects, in both layouts the fixtures hold.
 */

const FIXTURES = join(import.meta.dirname, "../fixtures/verifiers");
const VERSIONS = ["b7dd85f", "a60a606"] as const;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const fixtureRows = (version: string) => readFileSync(join(FIXTURES, version, "results.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as JsonObject);
const fixtureMetadata = (version: string) => JSON.parse(readFileSync(join(FIXTURES, version, "metadata.json"), "utf8")) as JsonObject;

/** Objects whose keys the environment chooses (metric names, load_environment arguments, k values): only their type is compared. */
const OPEN_OBJECTS = new Set(["metrics", "avg_metrics", "env_args", "sampling_args", "pass_at_k", "pass_all_k", "info"]);
/** Written only when non-empty (save_utils pops an empty `answer` and `info`); this environment has neither. */
const OMITTED_WHEN_EMPTY = new Set(["answer", "info"]);
/** Fields verifiers types as optional or None, which a built-in policy's rollout (no chat) leaves out or null. */
const NO_CHAT = new Set(["prompt", "completion", "token_usage", "usage"]);

const jsonType = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** The path of each field of `expected` that `actual` lacks or holds with another JSON type. */
function mismatches(expected: JsonObject, actual: Record<string, unknown>, allowAbsent: Set<string>, allowNull: Set<string>, path = ""): string[] {
  const out: string[] = [];
  for (const [key, want] of Object.entries(expected)) {
    const at = path + key;
    if (!(key in actual)) {
      if (!allowAbsent.has(key)) out.push(`${at}: missing`);
      continue;
    }
    const got = actual[key];
    if (got === null && allowNull.has(key)) continue;
    if (jsonType(got) !== jsonType(want)) out.push(`${at}: ${jsonType(got)}, verifiers writes ${jsonType(want)}`);
    else if (jsonType(want) === "object" && !OPEN_OBJECTS.has(key)) out.push(...mismatches(want as JsonObject, got as Record<string, unknown>, new Set(), new Set(), `${at}.`));
  }
  return out;
}

/** A fixture row's own fields: without its environment's flattened metrics. */
function verifiersFields(row: JsonObject): JsonObject {
  const metrics = new Set(Object.keys(row["metrics"] as JsonObject));
  return Object.fromEntries(Object.entries(row).filter(([k]) => !metrics.has(k)));
}

const KEY = "sk-test-verifiers";
const { server, outDir } = evalTestbed("kvsim-vf-");
beforeAll(() => {
  process.env["KVSIM_VF_TEST_KEY"] = KEY;
});

async function evalRun(args: string[], script?: (request: ReceivedRequest, index: number) => ScriptedReply) {
  const dir = outDir();
  let serverArgs: string[] = [];
  if (script) {
    const s = await server(script);
    serverArgs = ["--model", "scripted", "--base-url", s.url, "--api-key-env", "KVSIM_VF_TEST_KEY", "--temperature", "0.5", "--max-tokens", "256"];
  }
  const { code, stdout } = await runCli(["eval", ...serverArgs, ...args, "--out", dir]);
  const rows = readFileSync(join(dir, "results.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as ResultsRow);
  const metadata = JSON.parse(readFileSync(join(dir, "metadata.json"), "utf8")) as Record<string, unknown>;
  return { code, stdout, rows, metadata };
}

/** A model that evicts the first visible sequence every turn. */
const evictFirst = (request: ReceivedRequest): ScriptedReply => ({
  body: toolCallReply([{ name: "evict", arguments: JSON.stringify({ seq_id: lastObservation(request).visible_seq_ids[0] }) }]),
});

describe("kvsim eval writes what verifiers' save_utils writes", () => {
  it.each(VERSIONS)("a model's rows and metadata have every field of verifiers %s's, with its types", async (version) => {
    const { code, rows, metadata } = await evalRun(["-n", "2", "-r", "2"], evictFirst);
    expect(code).toBe(0);
    const [fixtureRow] = fixtureRows(version);
    for (const row of rows) expect(mismatches(verifiersFields(fixtureRow!), row, OMITTED_WHEN_EMPTY, new Set())).toEqual([]);
    expect(mismatches(fixtureMetadata(version), metadata, new Set(), new Set())).toEqual([]);
    expect(metadata).toMatchObject({ sampling_args: { temperature: 0.5, max_tokens: 256 }, pass_threshold: 0.5, avg_error: 0, state_columns: [...KVSIM_COLUMNS] });
    expect(Object.keys(metadata["pass_at_k"] as object)).toEqual(["1", "2"]);
  });

  it.each(VERSIONS)("a rollout ended by an API error has verifiers %s's error fields", async (version) => {
    const { code, rows } = await evalRun(["-n", "1", "--max-retries", "0"], (request, i) => (i >= 2 ? { status: 503, body: { error: { message: "overloaded" } } } : evictFirst(request)));
    expect(code).toBe(1);
    const errored = fixtureRows(version)[1]!;
    expect(mismatches(verifiersFields(errored), rows[0]!, OMITTED_WHEN_EMPTY, new Set())).toEqual([]);
    expect(rows[0]).toMatchObject({ stop_condition: "has_error", is_completed: true, error: { error: expect.stringMatching(/Error$/), message: expect.stringMatching(/503/) } });
    expect(rows[0]!.error_chain).toBe(rows[0]!.error!.error_chain_repr);
  });

  it.each(VERSIONS)("a built-in policy's rows match verifiers %s's but for the chat", async (version) => {
    const { code, rows, metadata } = await evalRun(["--policy", "greedy", "-n", "3"]);
    expect(code).toBe(0);
    for (const row of rows) expect(mismatches(verifiersFields(fixtureRows(version)[0]!), row, new Set([...OMITTED_WHEN_EMPTY, ...NO_CHAT]), NO_CHAT)).toEqual([]);
    expect(mismatches(fixtureMetadata(version), metadata, new Set(), NO_CHAT)).toEqual([]);
    expect(rows.every((r) => r.prompt === null && r.completion === null && r.token_usage === undefined && r.timing.total === 0)).toBe(true);
    expect(metadata).toMatchObject({ model: "kvsim-policy/greedy", base_url: "", usage: null, policy: "greedy" });
  });

  it("flattens every metric to a top-level key, and kvsim's columns collide with no verifiers field or metric", async () => {
    const { rows, metadata } = await evalRun(["-n", "1"], evictFirst);
    const row = rows[0]!;
    for (const m of METRIC_ORDER) expect(row[m], m).toBe(row.metrics[m]);
    const verifiersKeys = new Set(VERSIONS.flatMap((v) => fixtureRows(v).flatMap((r) => Object.keys(verifiersFields(r)))));
    const extras = Object.keys(row).filter((k) => !verifiersKeys.has(k) && !(METRIC_ORDER as readonly string[]).includes(k));
    expect(extras).toEqual([...KVSIM_COLUMNS]);
    expect(METRIC_ORDER.filter((m) => verifiersKeys.has(m) || (KVSIM_COLUMNS as readonly string[]).includes(m))).toEqual([]);
    expect(metadata["state_columns"]).toEqual(extras);
  });

  it("records verifiers' token usage, truncation and timing spans of a model's rollout", async () => {
    const { rows, stdout } = await evalRun(["-n", "1"], (request, i) => {
      const reply = evictFirst(request);
      if (i === 4) (reply.body as { choices: { finish_reason: string }[] }).choices[0]!.finish_reason = "length";
      return reply;
    });
    const r = rows[0]!;
    // 15 requests of 100 prompt and 10 completion tokens (the scripted server's usage).
    expect(r.token_usage).toEqual({ input_tokens: 1500, output_tokens: 150, final_input_tokens: 0, final_output_tokens: 150 });
    expect(r.is_truncated).toBe(true);
    expect(r.stop_condition).toBe("max_turns_reached");
    const t = r.timing;
    expect(t.model.spans).toHaveLength(15);
    expect(t.env.spans).toHaveLength(15);
    expect(t.generation.duration).toBeGreaterThanOrEqual(t.model.duration + t.env.duration + t.setup.duration - 1e-9);
    expect(t.total).toBeCloseTo(t.scoring.end - t.generation.start, 9);
    expect(t.total_ms).toBeCloseTo((t.generation.duration + t.scoring.duration) * 1000, 6);
    expect(t.start_time).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(t.overhead).toBeGreaterThanOrEqual(-1e-9);
    expect(stdout).toMatch(/^tokens per rollout \(mean\): input 1500\.0, output 150\.0$/m);
  });

  it("computes pass@k and pass^k as verifiers' PassAtKMetric (a hand-computed case)", () => {
    // n = 4, threshold 0.5. Example A: c = 2, so pass@1 = 1 − C(2,1)/C(4,1) = 1/2, pass@2 = 1 − C(2,2)/C(4,2) = 5/6,
    // pass@4 = 1 (n − c < k); pass^1 = 1/2, pass^2 = C(2,2)/C(4,2) = 1/6, pass^4 = 0. Example B: c = 4, all 1.
    // The third example has one rollout of four and is left out, as verifiers counts complete examples only.
    const { pass_at_k, pass_all_k } = passAtK([[0.6, 0.2, 0.7, 0.1], [0.9, 0.5, 0.9, 0.9], [0.9]], 4, 0.5);
    expect(Object.keys(pass_at_k)).toEqual(["1", "2", "4"]);
    for (const [k, v] of Object.entries({ 1: 3 / 4, 2: 11 / 12, 4: 1 })) expect(pass_at_k[k]).toBeCloseTo(v, 15);
    for (const [k, v] of Object.entries({ 1: 3 / 4, 2: 7 / 12, 4: 1 / 2 })) expect(pass_all_k[k]).toBeCloseTo(v, 15);
    expect(passAtK([[0.9], [0.1]], 1, 0.5)).toEqual({ pass_at_k: {}, pass_all_k: {} });
  });

  it("writes and prints pass@k over each example's rollouts", async () => {
    const { rows, metadata, stdout } = await evalRun(["--policy", "random", "-n", "3", "-r", "4"]);
    const byExample = [0, 1, 2].map((e) => rows.filter((r) => r.example_id === e).map((r) => r.reward));
    const { pass_at_k, pass_all_k } = passAtK(byExample, 4, 0.5);
    expect(metadata).toMatchObject({ pass_at_k, pass_all_k });
    const printed = (values: Record<string, number>) => Object.entries(values).map(([k, v]) => `${k}=${v.toFixed(3)}`).join(", ");
    expect(stdout).toContain(`pass@k: ${printed(pass_at_k)}\npass^k: ${printed(pass_all_k)}`);
  });
});
