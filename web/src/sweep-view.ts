import { byId, checkbox, download, fillSelect, showError, svgImage } from "./dom.js";
import {
  defaultWorkers, parseTraceFile, POLICIES, renderChart, replaySweepRow, runSweep, SCENARIO_PRESETS, tierOccupancy, WORKLOADS,
  type BrowserSweepOutcome, type Profile, type SweepResult, type SweepSpecInput, type Trace,
} from "./kvsim.js";
import { playground } from "./state.js";

const dropped = new Map<string, Trace[]>();

function checked(listId: string): string[] {
  return [...byId(listId).querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value);
}

/** The spec the form describes; the textarea holds it and may be edited further. */
function specFromForm(): SweepSpecInput {
  const seeds = byId<HTMLInputElement>("seeds").value.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const workloads: SweepSpecInput["workloads"] = [
    ...checked("workload-list").map((name) => ({ name, params: {} })),
    ...[...dropped.keys()].map((trace) => ({ trace })),
  ];
  return {
    name: "playground",
    profile: byId<HTMLSelectElement>("profile").value as Profile,
    scenarios: checked("scenario-list"),
    workloads,
    policies: checked("policy-list"),
    ...(seeds.length ? { seeds } : {}),
  };
}

function writeSpec(): void {
  byId<HTMLTextAreaElement>("spec").value = JSON.stringify(specFromForm(), null, 2);
}

function renderPolicies(): void {
  const profile = byId<HTMLSelectElement>("profile").value;
  const list = byId("policy-list");
  const was = new Set(checked("policy-list"));
  list.replaceChildren();
  for (const p of POLICIES.filter((p) => p.profiles.includes(profile as "kvsim"))) {
    checkbox(list, p.name, was.size ? was.has(p.name) : ["lru", "s3fifo", "belady"].includes(p.name), p.summary).addEventListener("change", writeSpec);
  }
}

/** Adds each readable file (a later file of the same name replaces the earlier one); every unreadable one is reported. */
async function addTraceFiles(files: FileList | File[]): Promise<void> {
  const problems: string[] = [];
  for (const file of files) {
    try {
      dropped.set(file.name, parseTraceFile(new Uint8Array(await file.arrayBuffer()), file.name));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  showError(byId("sweep-error"), problems.length ? new Error(problems.join("\n")) : undefined);
  byId("dropped-list").replaceChildren(...[...dropped].map(([name, traces]) => {
    const li = document.createElement("li");
    li.textContent = `${name}: ${traces.map((t) => `${t.accesses.length} accesses, ${t.numPages} pages`).join("; ")}`;
    return li;
  }));
  writeSpec();
}

function summaryTable(outcome: BrowserSweepOutcome): HTMLTableElement {
  const table = document.createElement("table");
  // One format per column, so its figures compare at a glance: a share in %, ms, and bytes in MB.
  const columns = [
    ["hit rate (%)", (r: BrowserSweepOutcome["summary"][number]) => (100 * r.stats["hitRate"]!.mean).toFixed(2)],
    ["avg latency (ms/access)", (r: BrowserSweepOutcome["summary"][number]) => r.stats["avgLatencyMs"]!.mean.toFixed(4)],
    ["bytes moved (MB)", (r: BrowserSweepOutcome["summary"][number]) => (r.stats["bytesMoved"]!.mean / 1e6).toFixed(3)],
  ] as const;
  table.innerHTML = `<tr><th>scenario</th><th>workload</th><th>policy</th><th>seeds</th>${columns.map(([title]) => `<th>${title}, mean (simulated)</th>`).join("")}</tr>`;
  for (const row of outcome.summary) {
    const tr = table.insertRow();
    for (const text of [row.scenario, row.workload, row.policy, String(row.seeds.length)]) tr.insertCell().textContent = text;
    for (const [, format] of columns) tr.insertCell().textContent = format(row);
  }
  return table;
}

/** Transfer events kept for the occupancy chart; a cap, because each event becomes a JS array in the page. */
const OCCUPANCY_EVENTS = 4_000_000;

/** Replays one row again with its events kept and draws each tier's resident bytes over time. */
async function drawOccupancy(result: SweepResult, outcome: BrowserSweepOutcome): Promise<void> {
  const row = outcome.plan.rows[result.row]!;
  const trace = outcome.plan.traces[row.traceId]!;
  const run = replaySweepRow(outcome.plan, result.row, { eventCapacity: OCCUPANCY_EVENTS });
  const cut = run.eventsDropped ? ` — the first ${OCCUPANCY_EVENTS.toLocaleString()} transfers only; ${run.eventsDropped.toLocaleString()} later ones not drawn` : "";
  const points = tierOccupancy(run.events ?? [], row.scenario.tiers.map((t) => t.name), trace.accesses.length)
    .map((p) => ({ ...p, megabytes: p.bytes / 1e6 }));
  const svg = await renderChart({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", background: "white", width: 640, height: 220,
    title: `${result.policy} on ${result.workload} / ${result.scenario}${outcome.plan.profile === "khl" ? " (khl: cold pages enter the last tier unlogged)" : ""}${cut}`,
    data: { values: points }, mark: "line",
    encoding: { x: { field: "step", type: "quantitative", title: "accesses" }, y: { field: "megabytes", type: "quantitative", title: "resident MB" }, color: { field: "tier", type: "nominal" } },
  });
  byId("occupancy-chart").replaceChildren(svgImage(svg, `occupancy of ${result.key}`));
}

export function initSweepView(): void {
  const scenarios = byId("scenario-list");
  Object.keys(SCENARIO_PRESETS).forEach((name, i) => checkbox(scenarios, name, i === 0).addEventListener("change", writeSpec));
  const workloads = byId("workload-list");
  WORKLOADS.forEach((w) => checkbox(workloads, w.name, w.name === "zipf", w.summary).addEventListener("change", writeSpec));
  renderPolicies();
  byId("profile").addEventListener("change", () => {
    renderPolicies();
    writeSpec();
  });
  byId("seeds").addEventListener("change", writeSpec);
  byId<HTMLInputElement>("workers").value = String(defaultWorkers());
  writeSpec();

  const zone = byId("drop-zone");
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer?.files) void addTraceFiles(e.dataTransfer.files);
  });
  byId<HTMLInputElement>("trace-input").addEventListener("change", (e) => void addTraceFiles((e.target as HTMLInputElement).files ?? []));

  let controller: AbortController | undefined;
  const runButton = byId<HTMLButtonElement>("run-sweep");
  const stopButton = byId<HTMLButtonElement>("stop-sweep");
  const progress = byId<HTMLProgressElement>("sweep-progress");
  const status = byId("sweep-status");
  stopButton.addEventListener("click", () => controller?.abort());
  runButton.addEventListener("click", async () => {
    const errorBox = byId("sweep-error");
    showError(errorBox, undefined);
    let spec: SweepSpecInput;
    try {
      spec = JSON.parse(byId<HTMLTextAreaElement>("spec").value) as SweepSpecInput;
    } catch (err) {
      return showError(errorBox, new Error(`spec: not valid JSON (${(err as Error).message})`));
    }
    controller = new AbortController();
    runButton.disabled = true;
    stopButton.disabled = false;
    clearResults();
    status.textContent = "planning…";
    document.body.dataset.sweep = "running";
    try {
      const outcome = await runSweep(spec, {
        workers: Number(byId<HTMLInputElement>("workers").value),
        files: Object.fromEntries(dropped),
        signal: controller.signal,
        onProgress: (p) => {
          progress.max = p.total;
          progress.value = p.done;
          status.textContent = `${p.done} / ${p.total} runs${p.failed ? `, ${p.failed} failed` : ""}`;
        },
      });
      playground.lastSweep = outcome;
      playground.lastSpec = spec;
      status.textContent = `${outcome.status}: ${outcome.results.length} runs on ${outcome.workers || "no"} worker${outcome.workers === 1 ? "" : "s"} in ${(outcome.wallMs / 1000).toFixed(2)} s`;
      if (outcome.failures.length) showError(errorBox, outcome.failures.map((f) => `${f.key}: ${f.error}`).join("\n"));
      showResults(outcome);
    } catch (err) {
      showError(errorBox, err);
      status.textContent = "failed";
    } finally {
      runButton.disabled = false;
      stopButton.disabled = true;
      document.body.dataset.sweep = "done";
    }
  });

  for (const button of byId("sweep-exports").querySelectorAll<HTMLButtonElement>("button")) {
    button.addEventListener("click", () => {
      const name = button.dataset.file!;
      const outcome = playground.lastSweep;
      if (!outcome) return;
      const text = name === "spec.json" ? JSON.stringify(playground.lastSpec, null, 2) + "\n" : outcome.files[name] ?? "";
      download(name, text, name.endsWith(".csv") ? "text/csv" : "application/json");
    });
  }
}

/** Takes the last run's results off the page: a run that fails must not leave them (and their Export) showing. */
function clearResults(): void {
  playground.lastSweep = undefined;
  byId("sweep-exports").hidden = true;
  byId("sweep-summary").replaceChildren();
  byId("sweep-charts").replaceChildren();
  byId("occupancy-panel").hidden = true;
}

function showResults(outcome: BrowserSweepOutcome): void {
  byId("sweep-exports").hidden = outcome.status === "interrupted";
  byId("sweep-summary").replaceChildren(summaryTable(outcome));
  byId("sweep-charts").replaceChildren(...Object.entries(outcome.files).filter(([name]) => name.endsWith(".svg"))
    .map(([name, svg]) => {
      const figure = document.createElement("figure");
      const caption = document.createElement("figcaption");
      caption.textContent = name;
      figure.append(caption, svgImage(svg, name));
      return figure;
    }));
  const select = byId<HTMLSelectElement>("occupancy-row");
  fillSelect(select, outcome.results.map((r) => r.key));
  byId("occupancy-panel").hidden = outcome.results.length === 0;
  const draw = () => {
    const result = outcome.results.find((r) => r.key === select.value);
    if (result) void drawOccupancy(result, outcome).catch((err) => showError(byId("sweep-error"), err));
  };
  select.onchange = draw;
  draw();
}
