import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planMemory, type Deployment } from "../../src/timed/deployment.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { kvBytesPerToken, MODELS, modelFromHfConfig, modelPreset, parameterCount, resolveModel } from "../../src/timed/models.js";
import { runCli } from "../helpers/cli.js";

const CONFIG = "tests/fixtures/hf/llama-3-8b-config.json";
const dir = mkdtempSync(join(tmpdir(), "kvsim-models-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("models", () => {
  // The parameter counts the hub reports for each checkpoint (safetensors totals); Mixtral's active
  // count is its two routed experts of eight.
  it.each([
    ["llama-2-7b", 6_738_415_616, 6_738_415_616],
    ["llama-3-8b", 8_030_261_248, 8_030_261_248],
    ["llama-3-70b", 70_553_706_496, 70_553_706_496],
    ["qwen2.5-7b", 7_615_616_512, 7_615_616_512],
    ["mixtral-8x7b", 46_702_792_704, 12_879_925_248],
  ])("%s has %i parameters, %i active", (name, total, active) => {
    expect(parameterCount(modelPreset(name))).toMatchObject({ total, active });
  });

  it("counts a token's KV bytes from its layers and KV heads", () => {
    expect(kvBytesPerToken(modelPreset("llama-2-7b"))).toBe(2 * 32 * 32 * 128 * 2); // 512 KiB: no GQA
    expect(kvBytesPerToken(modelPreset("llama-3-8b"))).toBe(2 * 32 * 8 * 128 * 2);
    expect(new Set(MODELS.map((m) => m.name)).size).toBe(MODELS.length);
  });

  it("reads a Hugging Face config.json as its preset", () => {
    const { name: _n, source: _s, ...fromFile } = resolveModel(CONFIG);
    const { name: _pn, source: _ps, ...preset } = modelPreset("llama-3-8b");
    expect(fromFile).toEqual(preset);
  });

  it("refuses a config missing a field, or whose heads do not divide, naming the file and field", () => {
    const { intermediate_size: _drop, ...missing } = { num_hidden_layers: 2, hidden_size: 64, intermediate_size: 128, num_attention_heads: 4, vocab_size: 100 };
    expect(() => modelFromHfConfig(missing, "m.json")).toThrow(/^m\.json: intermediate_size: /);
    expect(() => modelFromHfConfig({ ...missing, intermediate_size: 128, num_key_value_heads: 3 }, "m.json")).toThrow(/m\.json: num_key_value_heads: 3 does not divide/);
    expect(() => modelFromHfConfig({ ...missing, intermediate_size: -1 }, "m.json")).toThrow(/m\.json: intermediate_size: /);
    expect(() => modelPreset("gpt-5")).toThrow(/unknown model "gpt-5" \(presets: llama-2-7b, /);
  });
});

describe("memory plan", () => {
  const deployment = (over: Partial<Deployment> = {}): Deployment => ({
    model: modelPreset("llama-2-7b"), gpu: gpuPreset("a100-80gb"), tensorParallel: 1, blockSize: 16,
    maxBatchedTokens: 8192, maxSeqs: 256, gpuMemoryUtilization: 0.9, ...over,
  });

  it("gives the KV cache what the budget leaves after weights and activations", () => {
    const plan = planMemory(deployment());
    expect(plan.weightBytes).toBe(6_738_415_616 * 2);
    expect(plan.kvBytesPerToken).toBe(524_288);
    expect(plan.kvBlocks).toBe(Math.floor((0.9 * 80 * 1024 ** 3 - plan.weightBytes - plan.activationBytes) / (16 * 524_288)));
    expect(plan.kvBlocks).toBe(7522);
  });

  it("splits weights and KV heads over tensor-parallel GPUs, replicating a KV head when GPUs outnumber them", () => {
    const one = planMemory(deployment({ model: modelPreset("llama-3-70b"), gpu: gpuPreset("h100-sxm"), tensorParallel: 4 }));
    expect(one.weightBytes).toBe((70_553_706_496 * 2) / 4);
    expect(one.kvBytesPerToken).toBe(2 * 80 * 2 * 128 * 2); // 8 KV heads over 4 GPUs: 2 each
    const sixteen = planMemory(deployment({ model: modelPreset("llama-3-70b"), gpu: gpuPreset("h100-sxm"), tensorParallel: 16 }));
    expect(sixteen.kvBytesPerToken).toBe(2 * 80 * 1 * 128 * 2);
    expect(planMemory(deployment({ kvBlocks: 500 }))).toMatchObject({ kvBlocks: 500, kvTokens: 8000, explicit: true });
  });

  it("refuses a deployment that does not fit, or a split that does not divide the heads", () => {
    expect(() => planMemory(deployment({ model: modelPreset("llama-3-70b"), gpu: gpuPreset("l4") }))).toThrow(/llama-3-70b does not fit 1 × l4 .*weights 131\.\d\d GiB/);
    expect(() => planMemory(deployment({ tensorParallel: 3 }))).toThrow(/tensor parallel 3 does not divide llama-2-7b's 32 attention heads/);
  });
});

describe("kvsim serving models / gpus / memory", () => {
  it("lists presets and plans a deployment, from a preset or a config.json", async () => {
    expect((await runCli(["serving", "models"])).stdout).toMatch(/mixtral-8x7b\s+32\s+4096\s+32 \/ 8\s+2 of 8\s+46\.70\s+12\.88/);
    expect((await runCli(["serving", "gpus"])).stdout).toMatch(/h100-sxm\s+80\s+989\s+3350/);
    const plan = JSON.parse((await runCli(["serving", "memory", "--model", CONFIG, "--gpu", "h100-sxm", "--json"])).stdout);
    expect(plan).toMatchObject({ model: CONFIG, gpu: "h100-sxm", tp: 1, kvBytesPerToken: 131_072 });
    expect((await runCli(["serving", "memory", "--model", "llama-3-70b", "--gpu", "h100-sxm", "--tp", "4"])).stdout).toMatch(/KV cache \d+ blocks of 16 tokens/);
  });

  it("exits 2 with one line for a bad model, GPU, config or size", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ num_hidden_layers: 2 }));
    for (const [args, message] of [
      [["--model", "nope", "--gpu", "a100-80gb"], /unknown model "nope"/],
      [["--model", "llama-2-7b", "--gpu", "v100"], /--gpu <name>' argument 'v100' is invalid/],
      [["--model", bad, "--gpu", "a100-80gb"], /bad\.json: hidden_size: /],
      [["--model", "llama-3-70b", "--gpu", "l4"], /does not fit/],
      [["--model", "llama-2-7b", "--gpu", "l4", "--gpu-memory-utilization", "1.5"], /must be in \(0, 1\]/],
    ] as const) {
      const r = await runCli(["serving", "memory", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
