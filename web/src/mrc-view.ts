import { byId, checkbox, fillSelect, showError, svgImage } from "./dom.js";
import { missRatioCurves, mrcChartSpec, parseTraceFile, POLICIES, PROFILES, renderChart, type Trace } from "./kvsim.js";
import { playground } from "./state.js";

/** Policies the curves start with: the ones libCacheSim's users compare first. */
const FIRST = ["lru", "fifo", "sieve", "s3fifo"];

/**
 * The miss-ratio curves tab (docs/mrc.md): a trace file given to the page, the policies and sizes,
 * and `missRatioCurves` as Node's `kvsim mrc` runs it; the chart and a table of misses.
 */
export function initMrcView(): void {
  let trace: Trace | undefined;
  const list = byId("mrc-policy-list");
  const boxes = POLICIES.filter((p) => !p.future || p.name === "belady").map((p) => checkbox(list, p.name, FIRST.includes(p.name), p.summary));
  fillSelect(byId<HTMLSelectElement>("mrc-profile"), PROFILES.filter((p) => p !== "khl"), "libcachesim");
  const errorBox = byId("mrc-error");

  byId<HTMLInputElement>("mrc-trace-input").addEventListener("change", async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      trace = parseTraceFile(new Uint8Array(await file.arrayBuffer()), file.name)[0];
      byId("mrc-trace-info").textContent = `${file.name}: ${trace!.accesses.length.toLocaleString("en-US")} requests, ${trace!.numPages.toLocaleString("en-US")} objects`;
      showError(errorBox, undefined);
    } catch (err) {
      trace = undefined;
      byId("mrc-trace-info").textContent = "none";
      showError(errorBox, err);
    }
    document.body.dataset.mrcTrace = "read";
  });

  byId("run-mrc").addEventListener("click", async () => {
    showError(errorBox, undefined);
    try {
      if (!trace) throw new Error("trace: choose a trace file first");
      const rate = byId<HTMLInputElement>("mrc-sample-rate").value;
      const mrc = await missRatioCurves({
        trace, policies: boxes.filter((b) => b.checked).map((b) => b.value), sizes: byId<HTMLInputElement>("mrc-sizes").value,
        ignoreObjectSize: byId<HTMLInputElement>("mrc-ignore-obj-size").checked,
        profile: byId<HTMLSelectElement>("mrc-profile").value as (typeof PROFILES)[number], ...(rate ? { sampleRate: Number(rate) } : {}),
      });
      playground.lastMrc = mrc;
      const svg = await renderChart(mrcChartSpec(mrc, trace.name));
      byId("mrc-chart").replaceChildren(svgImage(svg, "miss-ratio curves"));
      renderTable(mrc.curves);
    } catch (err) {
      showError(errorBox, err);
    }
    document.body.dataset.mrc = "done";
  });
}

/** Misses and miss ratio per policy (rows) and size (columns), all simulated. */
function renderTable(curves: NonNullable<typeof playground.lastMrc>["curves"]): void {
  const table = byId<HTMLTableElement>("mrc-table");
  const head = table.createTHead();
  head.replaceChildren();
  const header = head.insertRow();
  header.insertCell().textContent = "policy (simulated misses / miss ratio)";
  for (const point of curves[0]?.points ?? []) header.insertCell().textContent = point.size.toLocaleString("en-US");
  const body = table.tBodies[0] ?? table.createTBody();
  body.replaceChildren();
  for (const curve of curves) {
    const row = body.insertRow();
    row.insertCell().textContent = curve.policy;
    for (const point of curve.points) row.insertCell().textContent = `${point.misses.toLocaleString("en-US")} / ${point.missRatio.toFixed(4)}`;
  }
}
