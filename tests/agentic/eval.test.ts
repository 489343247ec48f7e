import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AgenticEpisode } from "../../src/envs/agentic/episode.js";
import type { ResultsRow } from "../../src/eval/verifiers-output.js";
import { lastObservation, toolCallReply, type ReceivedRequest, type ScriptedReply } from "../helpers/chat-server.js";
import { runCli } from "../helpers/cli.js";
import { evalTestbed } from "../helpers/eval-testbed.js";

const KEY = "sk-test-secret-1234";
const { server, outDir } = evalTestbed("kvsim-eval-");
beforeAll(() => {
  process.env["KVSIM_TEST_KEY"] = KEY;
});

const readResults = (dir: string) => readFileSync(join(dir, "results.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as ResultsRow);
/** A rollout's whole transcript, prompt then completion. */
const transcript = (r: ResultsRow) => [...r.prompt!, ...r.completion!];
const evalArgs = (url: string, dir: string, extra: string[] = []) =>
  ["eval", "--env", "kvsim/Agentic-v0", "--model", "scripted", "--base-url", url, "--api-key-env", "KVSIM_TEST_KEY", "--out", dir, ...extra];

/**
 * Every assistant message with tool calls is followed by one tool message per call, in order and by
 * id. Calls are objects in requests and JSON strings in results.jsonl (verifiers' sanitize_tool_calls).
 */
function checkProtocol(messages: { role: string; tool_call_id?: string; tool_calls?: ({ id: string } | string)[] }[]): void {
  for (let i = 0; i < messages.length; i++) {
    const calls = messages[i]!.tool_calls?.map((c) => (typeof c === "string" ? JSON.parse(c) as { id: string } : c));
    if (messages[i]!.role !== "assistant" || !calls) continue;
    const answers = messages.slice(i + 1, i + 1 + calls.length);
    expect(answers.map((m) => [m.role, m.tool_call_id])).toEqual(calls.map((c) => ["tool", c.id]));
    const next = messages[i + 1 + calls.length];
    if (next) expect(next.role).toBe("user");
  }
}

/** Turn 1: compress two visible ids; turn 2: a malformed call and an unknown id; then evict the first visible id. */
function planner(request: ReceivedRequest): ScriptedReply {
  const turn = request.body.messages.filter((m) => m.role === "assistant").length + 1;
  const ids = lastObservation(request).visible_seq_ids;
  if (turn === 1) return { body: toolCallReply(ids.slice(0, 2).map((id) => ({ name: "compress", arguments: JSON.stringify({ seq_id: id }) }))) };
  if (turn === 2) return { body: toolCallReply([{ name: "evict", arguments: "{seq_id: s1" }, { name: "evict", arguments: '{"seq_id":"s999"}' }, { name: "keep", arguments: "{}" }]) };
  return { body: toolCallReply([{ name: "evict", arguments: JSON.stringify({ seq_id: ids[0] }) }]) };
}

describe("kvsim eval against a chat-completions server on 127.0.0.1", () => {
  it("plays multi-call turns, reports bad calls as tool messages, and scores like the env", async () => {
    const s = await server(planner);
    const dir = outDir();
    const { code, stdout } = await runCli(evalArgs(s.url, dir, ["-n", "2", "-r", "1", "--temperature", "0"]));
    expect(code).toBe(0);
    expect(stdout).toMatch(/metric \(n = 2, simulated\)\s+mean ± std/);
    expect(stdout).toMatch(/^reward\s+-?\d+\.\d{4} ± \d+\.\d{4}$/m);
    expect(s.requests).toHaveLength(30);
    expect(s.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(s.requests[0]!.body.tools).toHaveLength(4);
    const records = readResults(dir);
    expect(records.map((r) => [r.example_id, r.rollout, r.difficulty])).toEqual([[0, 0, "easy"], [1, 0, "medium"]]);
    for (const request of s.requests) checkProtocol(request.body.messages as never);
    for (const r of records) {
      checkProtocol(transcript(r) as never);
      expect(r.metrics.num_turns).toBe(15);
      expect(r.metrics.total_tool_calls).toBe(2 + 3 + 13);
      const tools = transcript(r).filter((m) => m.role === "tool");
      expect(tools).toHaveLength(r.metrics.total_tool_calls);
      const turn2 = r.tool_calls.filter((c) => c.turn === 2).map((c) => c.result);
      expect(turn2[0]).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON/) });
      expect(turn2[1]).toMatchObject({ ok: false, error: 'unknown seq_id "s999"' });
      expect(turn2[2]).toMatchObject({ ok: true, action: "keep" });
      // Replaying the recorded calls through the environment gives the same reward.
      const episode = new AgenticEpisode({ index: r.example_id, difficulty: r.difficulty as "easy", scenarioSeed: r.scenario_seed });
      for (let turn = 1; turn <= 15; turn++) {
        for (const c of r.tool_calls.filter((c) => c.turn === turn)) episode.call(c.name, c.arguments);
        episode.endTurn();
      }
      expect(episode.score().reward).toBe(r.reward);
    }
    const artifacts = readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8")).join("");
    expect(artifacts).not.toContain(KEY);
    const metadata = JSON.parse(readFileSync(join(dir, "metadata.json"), "utf8"));
    // 15 requests of 100 prompt and 10 completion tokens a rollout; the last context (110) holds less than the 150 generated.
    expect(metadata).toMatchObject({
      model: "scripted", api_key_env: "KVSIM_TEST_KEY", num_examples: 2, errors: 0, sampling_args: { temperature: 0 },
      usage: { input_tokens: 1500, output_tokens: 150, final_input_tokens: 0, final_output_tokens: 150 },
    });
    expect(metadata.avg_reward).toBeCloseTo((records[0]!.reward + records[1]!.reward) / 2, 12);
    // The spread is the sample std over the two scored rollouts: |a − b| / √2.
    expect(metadata.scored_rollouts).toBe(2);
    expect(metadata.std.reward).toBeCloseTo(Math.abs(records[0]!.reward - records[1]!.reward) / Math.SQRT2, 12);
  });

  it("answers object arguments and non-function tool calls with a tool message each", async () => {
    const s = await server((request, i) => {
      if (i !== 0) return planner(request);
      const id = lastObservation(request).visible_seq_ids[0]!;
      const body = toolCallReply([{ name: "compress", arguments: "" }, { name: "evict", arguments: "" }]) as { choices: { message: { tool_calls: Record<string, unknown>[] } }[] };
      const calls = body.choices[0]!.message.tool_calls;
      calls[0]!["function"] = { name: "compress", arguments: { seq_id: id } };
      calls[1] = { id: "call_1", type: "custom", custom: { name: "evict", input: id } };
      return { body };
    });
    const dir = outDir();
    expect((await runCli(evalArgs(s.url, dir, ["-n", "1"]))).code).toBe(0);
    const [r] = readResults(dir);
    const turn1 = r!.tool_calls.filter((c) => c.turn === 1);
    expect(turn1.map((c) => c.result.ok)).toEqual([true, false]);
    checkProtocol(transcript(r!) as never);
  });

  it("retries a server error and completes", async () => {
    const s = await server((request, i) => (i === 0 ? { status: 500, body: { error: { message: "boom" } } } : planner(request)));
    const dir = outDir();
    const { code } = await runCli(evalArgs(s.url, dir, ["-n", "1", "--max-retries", "2"]));
    expect(code).toBe(0);
    expect(s.requests).toHaveLength(16);
    expect(readResults(dir)[0]!.error).toBeNull();
  });

  it("records a rollout whose API errors outlast the retries, and exits 1", async () => {
    const s = await server((request, i) => (i >= 3 ? { status: 503, body: { error: { message: "overloaded" } } } : planner(request)));
    const dir = outDir();
    const { code, stderr } = await runCli(evalArgs(s.url, dir, ["-n", "1", "--max-retries", "0"]));
    expect(code).toBe(1);
    expect(stderr).toMatch(/1 rollout\(s\) ended on an API error/);
    const [r] = readResults(dir);
    expect(r!.stop_condition).toBe("has_error");
    expect(r!.error!.message).toMatch(/503/);
    expect(r!.metrics.num_turns).toBe(3);
  });

  it("times out a slow server", async () => {
    const s = await server((request) => ({ ...planner(request), delayMs: 2000 }));
    const dir = outDir();
    const { code } = await runCli(evalArgs(s.url, dir, ["-n", "1", "--max-retries", "0", "--timeout", "0.2"]));
    expect(code).toBe(1);
    expect(readResults(dir)[0]!.error!.message).toMatch(/timed out/i);
  });

  it("ends a rollout early when the model answers without a tool call", async () => {
    const s = await server((request, i) => (i === 2 ? { body: toolCallReply([], "I am done.") } : planner(request)));
    const dir = outDir();
    expect((await runCli(evalArgs(s.url, dir, ["-n", "1"]))).code).toBe(0);
    const [r] = readResults(dir);
    expect(r!.stop_condition).toBe("no_tools_called");
    expect(r!.metrics.num_turns).toBe(3);
    expect(s.requests).toHaveLength(3);
  });

  it("runs rollouts concurrently and still writes them in row order", async () => {
    const s = await server((request) => ({ ...planner(request), delayMs: 1 }));
    const dir = outDir();
    expect((await runCli(evalArgs(s.url, dir, ["-n", "3", "-r", "2", "--max-concurrent", "3", "--env-args", '{"difficulty":"hard","seed":7}']))).code).toBe(0);
    const records = readResults(dir);
    expect(records.map((r) => `${r.example_id}.${r.rollout}`)).toEqual(["0.0", "0.1", "1.0", "1.1", "2.0", "2.1"]);
    expect(records.every((r) => r.difficulty === "hard")).toBe(true);
  });
});

describe("kvsim eval with a built-in policy and bad input", () => {
  it("kvsim envs lists the agentic environments and policies", async () => {
    const { code, stdout } = await runCli(["envs", "--json"]);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as { agentic: { id: string }[]; agenticPolicies: string[] };
    expect(listed.agentic.map((e) => e.id)).toContain("kvsim/Agentic-v0");
    expect(listed.agenticPolicies).toEqual(["keep-only", "random", "greedy"]);
  });

  it("writes byte-identical results for the same policy run", async () => {
    const a = outDir();
    const b = outDir();
    expect((await runCli(["eval", "--policy", "greedy", "-n", "6", "--out", a])).code).toBe(0);
    expect((await runCli(["eval", "--policy", "greedy", "-n", "6", "--out", b, "--max-concurrent", "4"])).code).toBe(0);
    expect(readFileSync(join(a, "results.jsonl"), "utf8")).toBe(readFileSync(join(b, "results.jsonl"), "utf8"));
  });

  it("-n -1 evaluates the dataset: num_examples from --env-args, else 50 per difficulty", async () => {
    const a = outDir();
    expect((await runCli(["eval", "--policy", "keep-only", "-n", "-1", "--env-args", '{"num_examples":4}', "--out", a])).code).toBe(0);
    expect(readResults(a)).toHaveLength(4);
    const b = outDir();
    expect((await runCli(["eval", "--policy", "keep-only", "-n", "-1", "--env", "kvsim/Agentic-easy-v0", "--out", b])).code).toBe(0);
    expect(readResults(b)).toHaveLength(50);
  });

  it.each([
    [["eval", "--policy", "greedy", "-n", "-1", "--env-args", "{\"num_examples\":0}", "--out", "/tmp/x"], /num_examples: expected a positive integer or -1/],
    [["eval", "--out", "/tmp/x"], /exactly one of --model/],
    [["eval", "--model", "m", "--policy", "greedy", "--out", "/tmp/x"], /exactly one of --model/],
    [["eval", "--policy", "smart", "--out", "/tmp/x"], /unknown policy "smart"/],
    [["eval", "--policy", "greedy", "--env", "kvsim/Serving-easy-v0", "--out", "/tmp/x"], /--env: unknown agentic environment/],
    [["eval", "--policy", "greedy", "--env-args", "{\"difficulty\":", "--out", "/tmp/x"], /--env-args:1:\d+: invalid JSON/],
    [["eval", "--policy", "greedy", "--env-args", "{\"difficulty\":\"extreme\"}", "--out", "/tmp/x"], /--env-args: difficulty/],
    [["eval", "--policy", "greedy", "--env-args", "{\"temperature\":1}", "--out", "/tmp/x"], /--env-args: .*temperature/],
    [["eval", "--policy", "greedy", "--env", "kvsim/Agentic-easy-v0", "--env-args", "{\"difficulty\":\"hard\"}", "--out", "/tmp/x"], /easy only/],
    [["eval", "--model", "m", "--api-key-env", "KVSIM_NOT_SET_ANYWHERE", "--out", "/tmp/x"], /KVSIM_NOT_SET_ANYWHERE is not set/],
    [["eval", "--policy", "greedy", "-n", "0", "--out", "/tmp/x"], /-n must be an integer from 1 to 1,000,000, got "0"/],
  ])("exits 2 on %j", async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
