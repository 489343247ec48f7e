import { byId, download, showError, svgImage } from "./dom.js";
import { requestsFor, servingKvBlocks, ServingChartRecorder, simulateServingInto } from "./kvsim.js";
import { playground } from "./state.js";
import { initTimedOptions, timedOptionsFromForm } from "./timed-options.js";
import { EXAMPLE_WORKLOAD, pickTraceFile, requestsFromForm } from "./timed-requests.js";
import { summaryTables } from "./timed-summary.js";

const ms = (x: number): string => `${x.toFixed(0)} ms`;

/** Lets the browser paint (the status line) before the page's thread is taken by a run. */
const painted = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/** Greys out what the chosen scheduler and host tier do not use, as the CLI refuses those flags. */
function syncControls(): void {
  const vllm = byId<HTMLSelectElement>("timed-scheduler").value === "vllm";
  for (const id of ["timed-eviction", "timed-cache-model", "timed-host-blocks"]) byId<HTMLInputElement>(id).disabled = !vllm;
  const host = vllm && byId<HTMLInputElement>("timed-host-blocks").value.trim() !== "";
  for (const id of ["timed-host-link", "timed-offload", "timed-load-overlap", "timed-preemption", "timed-host-load", "timed-host-eviction"]) byId<HTMLInputElement>(id).disabled = !host;
}

/** The KV blocks the deployment's memory plan gives, beside the field that overrides it. */
function showPlannedBlocks(): void {
  let text: string;
  try {
    const options = timedOptionsFromForm();
    text = `planned: ${servingKvBlocks({ ...options, kvBlocks: undefined }).toLocaleString("en-US")} blocks`;
  } catch {
    // The run names what is wrong; the hint only says what the plan gives when there is one.
    text = "";
  }
  byId("timed-planned").textContent = text;
}

function clearResults(): void {
  playground.lastTimed = undefined;
  byId("timed-export").hidden = true;
  byId("timed-summary").replaceChildren();
  byId("timed-charts").replaceChildren();
}

/**
 * Runs the form's simulation on the page's thread (the timed simulator has no worker path in the
 * page), then draws its charts; a bad input shows its one message and leaves the page as it was.
 */
async function run(): Promise<void> {
  const status = byId("timed-status");
  const errorBox = byId("timed-error");
  showError(errorBox, undefined);
  clearResults();
  document.body.dataset.timed = "running";
  status.textContent = "simulating…";
  await painted();
  try {
    const options = timedOptionsFromForm();
    const { requests, source } = requestsFromForm();
    const recorder = new ServingChartRecorder();
    const t0 = performance.now();
    // belady reads the workload's future: it is drawn whole first.
    const summary = simulateServingInto(options, requestsFor(options, requests), recorder);
    const wallMs = performance.now() - t0;
    playground.lastTimed = { summary, source, wallMs };
    byId("timed-summary").replaceChildren(...summaryTables(summary));
    byId("timed-export").hidden = false;
    status.textContent = `${summary.requests.toLocaleString("en-US")} requests (${source}) simulated in ${ms(wallMs)} of wall time; drawing charts…`;
    const t1 = performance.now();
    const charts = await recorder.charts(summary);
    byId("timed-charts").replaceChildren(...Object.entries(charts).map(([name, svg]) => {
      const figure = document.createElement("figure");
      figure.dataset.chart = name;
      figure.append(svgImage(svg, name));
      return figure;
    }));
    status.textContent = `${summary.requests.toLocaleString("en-US")} requests (${source}): simulated in ${ms(wallMs)}, charts drawn in ${ms(performance.now() - t1)} (wall time on this page's thread)`;
  } catch (err) {
    showError(errorBox, err);
    status.textContent = "failed";
  } finally {
    document.body.dataset.timed = "done";
  }
}

export function initTimedView(): void {
  initTimedOptions();
  byId<HTMLTextAreaElement>("timed-workload").value = EXAMPLE_WORKLOAD;
  const form = byId("timed-form");
  form.addEventListener("input", () => {
    syncControls();
    showPlannedBlocks();
  });
  syncControls();
  showPlannedBlocks();
  const traceInput = byId<HTMLInputElement>("timed-trace-input");
  const info = byId("timed-trace-info");
  traceInput.addEventListener("change", async () => {
    byId<HTMLInputElement>("timed-source-trace").checked = true;
    info.textContent = "reading…";
    try {
      const trace = await pickTraceFile(traceInput.files?.[0]);
      info.textContent = trace ? `${trace.name}: ${trace.requests.length.toLocaleString("en-US")} requests (${trace.format})` : "";
      showError(byId("timed-error"), undefined);
    } catch (err) {
      info.textContent = "no trace picked";
      showError(byId("timed-error"), err);
    }
    document.body.dataset.timedTrace = "read";
  });
  byId("run-timed").addEventListener("click", () => void run());
  byId("timed-export").addEventListener("click", () => {
    const last = playground.lastTimed;
    if (last) download("summary.json", `${JSON.stringify(last.summary, null, 2)}\n`, "application/json");
  });
}
