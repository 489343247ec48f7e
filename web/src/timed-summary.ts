import type { Distribution, ServingSummary } from "./kvsim.js";

/** Seconds as ms to 0.1 ms, as `kvsim serving simulate` prints them; NaN (no such figure) as a dash. */
const ms = (x: number): string => (Number.isNaN(x) ? "–" : (x * 1000).toFixed(1));
const percent = (share: number): string => (Number.isNaN(share) ? "–" : `${(share * 100).toFixed(2)}%`);
const count = (n: number): string => n.toLocaleString("en-US");
const rate = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : "–");
const megabytes = (bytes: number): string => (bytes / 1e6).toFixed(1);

function table(caption: string, head: string[], rows: string[][]): HTMLTableElement {
  const t = document.createElement("table");
  t.createCaption().textContent = caption;
  const h = t.insertRow();
  for (const text of head) h.appendChild(document.createElement("th")).textContent = text;
  for (const row of rows) {
    const tr = t.insertRow();
    for (const text of row) tr.insertCell().textContent = text;
  }
  return t;
}

function latencies(s: ServingSummary): HTMLTableElement {
  const row = (name: string, d: Distribution) => [name, ms(d.p50), ms(d.p90), ms(d.p99), ms(d.mean), ms(d.max)];
  return table("Latencies (ms, simulated)", ["", "p50", "p90", "p99", "mean", "max"],
    [row("TTFT", s.ttft), row("TPOT", s.tpot), row("ITL", s.itl), row("E2E", s.e2e)]);
}

function figures(s: ServingSummary): HTMLTableElement {
  const g = s.goodput;
  const p = s.prefixBlocks;
  return table(`${s.model} on ${s.gpu}, ${s.scheduler} timed by ${s.timeModel} (simulated)`, ["figure", "value"], [
    ["requests", count(s.requests)],
    ["KV blocks", count(s.kvBlocks)],
    ["throughput (requests/s)", rate(s.throughput.requestsPerS)],
    ["throughput (input tokens/s)", rate(s.throughput.inputTokensPerS, 0)],
    ["throughput (output tokens/s)", rate(s.throughput.outputTokensPerS, 0)],
    ["goodput (requests/s meeting the SLOs)", g ? rate(g.requestsPerS) : "no SLO given"],
    ["SLO attainment", g ? percent(g.attainment) : "no SLO given"],
    ["preemptions", count(s.preemptions)],
    ["prefix-hit tokens", count(s.prefixHitTokens)],
    ["prefix blocks matched at admission", `${count(p.matchedBlocks)} of ${count(p.blocks)}`],
    ["prefix block hit rate", rate(p.hitRate, 4)],
    ["KV use, mean / peak", `${percent(s.kvUtilization.mean)} / ${percent(s.kvUtilization.peak)}`],
    ["iterations", count(s.iterations)],
    ["mean batch size (requests)", rate(s.meanBatchSize)],
    ["mean tokens per iteration", rate(s.meanTokensPerIteration, 1)],
  ]);
}

function hostTier(h: NonNullable<ServingSummary["hostTier"]>): HTMLTableElement {
  return table(`Host tier: ${count(h.blocks)} blocks, ${h.offload}, link ${rate(h.link.bytesPerS / 1e9, 1)} GB/s each way (simulated)`, ["figure", "value"], [
    ["prompt tokens loaded instead of computed", count(h.hitTokens)],
    ["blocks offloaded (GPU → host)", count(h.offloadedBlocks)],
    ["blocks loaded (host → GPU)", count(h.loadedBlocks)],
    ["MB to host / from host", `${megabytes(h.bytesToHost)} / ${megabytes(h.bytesFromHost)}`],
    ["link busy, to host / from host", `${percent(h.toHostUtilization)} / ${percent(h.fromHostUtilization)}`],
  ]);
}

function diskTier(d: NonNullable<ServingSummary["diskTier"]>): HTMLTableElement {
  return table(`Disk tier: ${count(d.blocks)} blocks, ${d.offload}, link ${rate(d.link.read.bytesPerS / 1e9, 1)} GB/s reads, ${rate(d.link.write.bytesPerS / 1e9, 1)} GB/s writes (simulated)`, ["figure", "value"], [
    ["prompt tokens loaded (through the host) instead of computed", count(d.hitTokens)],
    ["blocks offloaded (host → disk)", count(d.offloadedBlocks)],
    ["blocks loaded (disk → host), kept in the host", `${count(d.loadedBlocks)}, ${count(d.stagedBlocks)}`],
    ["MB to disk / from disk", `${megabytes(d.bytesToDisk)} / ${megabytes(d.bytesFromDisk)}`],
    ["link busy, to disk / from disk", `${percent(d.toDiskUtilization)} / ${percent(d.fromDiskUtilization)}`],
  ]);
}

/** The run's summary as tables, every figure labelled simulated. */
export function summaryTables(s: ServingSummary): HTMLTableElement[] {
  return [latencies(s), figures(s), ...(s.hostTier ? [hostTier(s.hostTier)] : []), ...(s.diskTier ? [diskTier(s.diskTier)] : [])];
}
