import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { profileTimeModel } from "../../src/timed/profile-model.js";
import { readProfileTables } from "../../src/timed/profile-tables.js";
import { readRequestsCsv } from "../../src/timed/requests.js";
import { replayVidur, type VidurConfig, type VidurRun } from "../../src/timed/vidur.js";

const DIR = "tests/fixtures/vidur";
const timeModel = profileTimeModel(readProfileTables(`${DIR}/predictor_tables`), { layers: 32, decodeOverhead: 0, prefillOverhead: 0 });

const csvRows = (file: string): string[][] => readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));

/** C's `%.9g`, as the fixture was printed. */
function g9(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === 0) return "0";
  const [mantissa, e] = x.toExponential(8).split("e") as [string, string];
  const exponent = Number(e);
  if (exponent < -4 || exponent >= 9) return `${mantissa.replace(/\.?0+$/, "")}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  const fixed = x.toFixed(8 - exponent);
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

const FIXED: Omit<VidurConfig, "scheduler"> = {
  numBlocks: 7424, blockSize: 16, watermarkBlocks: 74, batchSizeCap: 128, maxTokensInBatch: 4096, chunkSize: 512,
};

function requestRow(r: VidurRun["requests"][number]): string[] {
  const ttft = r.prefillCompletedAt - r.arrivedAt;
  const e2e = r.completedAt - r.arrivedAt;
  return [
    String(r.id), g9(r.arrivedAt), String(r.originalPrompt), String(r.originalOutput), g9(ttft), g9(r.arrivedAt + ttft), g9(r.arrivedAt + e2e), g9(e2e),
    g9(r.schedulingDelay), g9((r.completedAt - r.prefillCompletedAt) / r.d), g9((e2e - ttft) / (r.originalOutput - 1)),
    g9(r.prefillCompletedAt - r.scheduledAt), g9(r.executionTime), g9(r.modelExecutionTime), g9(r.preemptedTime), String(r.restarts),
  ];
}

describe("Vidur's schedulers reproduce Vidur's runs", () => {
  it.each([["vidur-vllm", "fixed_p1024_d256_n1000_q3.0_vllm"], ["sarathi", "fixed_p1024_d256_n1000_q3.0_sarathi512"]] as const)(
    "%s: every batch and request of %s, to the printed precision",
    (scheduler, run) => {
      const out = replayVidur(readRequestsCsv(`${DIR}/fixed_p1024_d256_n1000_q3.0_requests_in.csv`), { ...FIXED, scheduler }, timeModel);
      const batches = csvRows(`${DIR}/${run}/batches.csv`);
      expect(out.batches.length).toBe(batches.length);
      out.batches.forEach((b, k) => {
        expect([String(k), String(b.size), String(b.prefillTokens), String(b.decodeTokens), String(b.prefillTokens + b.decodeTokens), g9(b.executionTime)], `batch ${k}`)
          .toEqual(batches[k]);
      });
      const requests = csvRows(`${DIR}/${run}/requests.csv`);
      out.requests.forEach((r, k) => expect(requestRow(r), `request ${k}`).toEqual(requests[k]));
      // §11.2: 101 exact-rank quantiles of the token-level gaps, q = i × 0.01 as a double multiply.
      const sorted = out.tbtSamples.slice().sort();
      expect(sorted.length).toBe(255_000);
      const quantiles = Array.from({ length: 101 }, (_, i) => {
        const q = i === 100 ? 1 : i * 0.01;
        return [g9(q), g9(sorted[Math.floor(q * (sorted.length - 1))]!)];
      });
      expect(quantiles).toEqual(csvRows(`${DIR}/${run}/token_tbt_quantiles.csv`));
    },
  );
});
