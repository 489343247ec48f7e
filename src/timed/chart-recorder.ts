import { servingCharts } from "./charts.js";
import type { RunSink } from "./engine-run.js";
import type { IterationResult, RequestResult, ServingSummary } from "./results.js";
import { Timeline } from "./timeline.js";

/** What a run's chart titles name: its scheduler, time model, model and GPU. */
export const chartLabel = (s: ServingSummary): string => `${s.scheduler} · ${s.timeModel} · ${s.model} on ${s.gpu}`;

/**
 * A sink that keeps what a run's charts need, and nothing else: three latencies per request and
 * the binned timeline. `kvsim serving simulate --out` and the playground draw from it, so both
 * show the same charts of the same run.
 */
export class ServingChartRecorder implements RunSink {
  private readonly latencies = { ttft: [] as number[], tpot: [] as number[], e2e: [] as number[] };
  private readonly timeline = new Timeline();

  request(r: RequestResult): void {
    this.latencies.ttft.push(r.ttft);
    this.latencies.tpot.push(r.tpot);
    this.latencies.e2e.push(r.e2e);
  }

  iteration(i: IterationResult): void {
    this.timeline.add(i);
  }

  /** The run's charts as SVG text by file name: latency-cdf.svg, kv-usage.svg, batch-size.svg, and host-tier.svg with a host tier (and its disk tier). */
  charts(summary: ServingSummary): Promise<Record<string, string>> {
    return servingCharts({
      ttft: Float64Array.from(this.latencies.ttft), tpot: Float64Array.from(this.latencies.tpot), e2e: Float64Array.from(this.latencies.e2e),
      timeline: this.timeline.series(summary.kvBlocks, summary.hostTier?.blocks, summary.diskTier?.blocks),
      label: chartLabel(summary),
    });
  }
}
