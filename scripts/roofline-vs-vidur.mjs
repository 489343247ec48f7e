// Reproduces docs/timed.md's roofline figures (run `npm run build:ts` first): the error of the
// roofline against Vidur's A100 Llama-2-7B tables at every calibration grid point, then the ratio
// roofline ÷ tables over the batches Vidur's vidur-vllm forms on the 2,000-request Splitwise sample.
import { compareOnGrid, worstError, DECODE_BATCHES, DECODE_CONTEXTS } from "../dist/src/timed/calibration.js";
import { gpuPreset } from "../dist/src/timed/gpus.js";
import { modelPreset } from "../dist/src/timed/models.js";
import { profileConfigFor, profileTimeModel } from "../dist/src/timed/profile-model.js";
import { readProfileTables } from "../dist/src/timed/profile-tables.js";
import { readRequestsCsv } from "../dist/src/timed/requests.js";
import { rooflineTimeModel } from "../dist/src/timed/roofline.js";
import { replayVidur } from "../dist/src/timed/vidur.js";

const DIR = "tests/fixtures/vidur";
const model = modelPreset("llama-2-7b");
const tables = profileTimeModel(readProfileTables(`${DIR}/predictor_tables`), profileConfigFor(model));
const roofline = rooflineTimeModel(model, gpuPreset("a100-80gb"));

const rows = compareOnGrid(tables, roofline);
const pct = (e) => (e >= 0 ? "+" : "−") + Math.abs(e * 100).toFixed(1);
console.log(`| decode batch \\ context | ${DECODE_CONTEXTS.join(" | ")} |`);
for (const b of DECODE_BATCHES) {
  const at = (c) => rows.find((r) => r.point.kind === "decode" && r.point.batch === b && r.point.context === c).error;
  console.log(`| ${b} | ${DECODE_CONTEXTS.map((c) => pct(at(c))).join(" | ")} |`);
}
const prefills = rows.filter((r) => r.point.kind === "prefill");
console.log(`| prefill tokens | ${prefills.map((r) => r.point.tokens).join(" | ")} |`);
console.log(`| roofline ms | ${prefills.map((r) => (r.candidate * 1000).toFixed(1)).join(" | ")} |`);
console.log(`| Vidur ms | ${prefills.map((r) => (r.reference * 1000).toFixed(1)).join(" | ")} |`);
console.log(`| error % | ${prefills.map((r) => pct(r.error)).join(" | ")} |`);
const mean = rows.reduce((s, r) => s + Math.abs(r.error), 0) / rows.length;
console.log(`worst ${(worstError(rows) * 100).toFixed(1)}%, mean ${(mean * 100).toFixed(1)}% over ${rows.length} points`);

// Each batch Vidur forms, timed by the tables (which drive the run) and by the roofline.
const ratios = [];
const both = { name: "profile", iterationTime: (b) => { const t = tables.iterationTime(b); ratios.push(roofline.iterationTime(b) / t); return t; } };
replayVidur(readRequestsCsv(`${DIR}/splitwise_conv2000_q4.5_requests_in.csv`), {
  scheduler: "vidur-vllm", numBlocks: 7424, blockSize: 16, watermarkBlocks: 74, batchSizeCap: 128, maxTokensInBatch: 4096, chunkSize: 512,
}, both);
ratios.sort((a, b) => a - b);
const q = (f) => ratios[Math.floor(f * (ratios.length - 1))].toFixed(2);
console.log(`Splitwise vidur-vllm, ${ratios.length} batches, roofline ÷ tables: min ${q(0)}, p10 ${q(0.1)}, median ${q(0.5)}, p90 ${q(0.9)}, max ${q(1)}`);
