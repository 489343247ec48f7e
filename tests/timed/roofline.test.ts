import { describe, expect, it } from "vitest";
import { calibrationGrid, compareOnGrid, fitRoofline, worstError } from "../../src/timed/calibration.js";
import { gpuPreset } from "../../src/timed/gpus.js";
import { modelPreset } from "../../src/timed/models.js";
import { profileConfigFor, profileTimeModel } from "../../src/timed/profile-model.js";
import { readProfileTables } from "../../src/timed/profile-tables.js";
import { DEFAULT_ROOFLINE, rooflineTimeModel } from "../../src/timed/roofline.js";
import { addToBatch, newIterationBatch } from "../../src/timed/time-model.js";

const llama = modelPreset("llama-2-7b");
const a100 = gpuPreset("a100-80gb");
const vidur = profileTimeModel(readProfileTables("tests/fixtures/vidur/predictor_tables"), profileConfigFor(llama));

const decode = (batch: number, context: number) => {
  const b = newIterationBatch(batch);
  for (let i = 0; i < batch; i++) addToBatch(b, 1, context, false, true);
  return b;
};

describe("the roofline time model", () => {
  it("is within 15% of Vidur's profiled Llama-2-7B tables on an A100 at every grid point", () => {
    const rows = compareOnGrid(vidur, rooflineTimeModel(llama, a100));
    expect(rows).toHaveLength(calibrationGrid().length);
    expect(worstError(rows)).toBeLessThan(0.15);
  });

  it("its defaults are a fixed point of the fit (the fit cannot lower the worst error)", () => {
    const { params, worst } = fitRoofline(vidur, llama, a100, DEFAULT_ROOFLINE);
    expect(params).toEqual(DEFAULT_ROOFLINE);
    expect(worst).toBe(worstError(compareOnGrid(vidur, rooflineTimeModel(llama, a100))));
  });

  it("grows with context, batch and prompt length", () => {
    const m = rooflineTimeModel(llama, a100);
    expect(m.iterationTime(decode(8, 2048))).toBeGreaterThan(m.iterationTime(decode(8, 512)));
    expect(m.iterationTime(decode(64, 512))).toBeGreaterThan(m.iterationTime(decode(8, 512)));
  });

  it("splits over tensor-parallel GPUs, paying all-reduces", () => {
    const four = rooflineTimeModel(modelPreset("llama-3-70b"), gpuPreset("h100-sxm"), 4);
    const eight = rooflineTimeModel(modelPreset("llama-3-70b"), gpuPreset("h100-sxm"), 8);
    expect(eight.iterationTime(decode(32, 1024))).toBeLessThan(four.iterationTime(decode(32, 1024)));
  });

  it("reads only the routed experts of a mixture of experts when few tokens run", () => {
    const mixtral = modelPreset("mixtral-8x7b");
    const dense = { ...mixtral, experts: 1, expertsPerToken: 1 };
    const h100 = gpuPreset("h100-sxm");
    // One token reads 2 of 8 experts: far less than a dense model with the same expert, times 8 / 2 below.
    const moe = rooflineTimeModel(mixtral, h100).iterationTime(decode(1, 512));
    const oneExpert = rooflineTimeModel(dense, h100).iterationTime(decode(1, 512));
    expect(moe).toBeGreaterThan(oneExpert);
    expect(moe).toBeLessThan(2.5 * oneExpert);
  });

  it("costs the output head for the requests that sample, and nothing for an empty batch", () => {
    const m = rooflineTimeModel(llama, a100);
    const silent = decode(4, 512);
    silent.samples.fill(0);
    expect(m.iterationTime(decode(4, 512))).toBeGreaterThan(m.iterationTime(silent));
    expect(m.iterationTime(newIterationBatch(1))).toBe(DEFAULT_ROOFLINE.iterationOverheadS);
  });
});
