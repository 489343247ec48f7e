import { join } from "node:path";
import { ServingChartRecorder } from "./chart-recorder.js";
import type { RunSink } from "./engine-run.js";
import { PendingFile } from "./pending-file.js";
import type { IterationResult, RequestResult, ServingSummary } from "./results.js";

/** A number as CSV text: shortest round-trip decimal, NaN as an empty cell. */
const cell = (x: number): string => (Number.isNaN(x) ? "" : String(x));

export const REQUESTS_HEADER = "request_id,arrival_s,prompt_tokens,output_tokens,first_scheduled_s,first_token_s,completion_s,ttft_s,tpot_s,e2e_s,preemptions,prefix_hit_tokens,host_hit_tokens,matched_prefix_blocks";
export const ITERATIONS_HEADER = "iteration,start_s,duration_s,requests,prefill_tokens,decode_tokens,kv_blocks_used,host_blocks_cached,bytes_to_host,bytes_from_host";

/** The headers of a run with a disk tier or without: its columns come last, so a run without one writes what it wrote before there were disk tiers. */
export const requestsHeader = (disk: boolean): string => (disk ? `${REQUESTS_HEADER},disk_hit_tokens` : REQUESTS_HEADER);
export const iterationsHeader = (disk: boolean): string => (disk ? `${ITERATIONS_HEADER},disk_blocks_cached,bytes_to_disk,bytes_from_disk` : ITERATIONS_HEADER);

// Lines are template strings: a run of millions writes tens of millions of them, and building an
// array per line and joining it took most of the time of writing them. Only TPOT can be NaN.

/** One line of `requests.csv`: times in seconds from the simulation's zero; a disk tier's column when the row has it. */
export const requestLine = (r: RequestResult): string =>
  `${r.requestId},${r.arrival},${r.promptTokens},${r.outputTokens},${r.firstScheduled},${r.firstToken},${r.completion},${r.ttft},${cell(r.tpot)},${r.e2e},${r.preemptions},${r.prefixHitTokens},${r.hostHitTokens},${r.matchedPrefixBlocks}${
    r.diskHitTokens === undefined ? "" : `,${r.diskHitTokens}`}`;

/** One line of `iterations.csv`; a disk tier's columns when the row has them. */
export const iterationLine = (i: IterationResult, k: number): string =>
  `${k},${i.start},${i.duration},${i.requests},${i.prefillTokens},${i.decodeTokens},${i.kvBlocksUsed},${i.hostBlocksCached},${i.bytesToHost},${i.bytesFromHost}${
    i.diskBlocksCached === undefined ? "" : `,${i.diskBlocksCached},${i.bytesToDisk},${i.bytesFromDisk}`}`;

/**
 * What `kvsim serving simulate --out DIR` writes, as the run goes: `requests.csv` (one row per
 * request in input order — rows that complete early wait for the requests before them),
 * `iterations.csv`, then `summary.json` and the charts. Nothing is renamed into place before the
 * run has ended well; `discard` removes what a failed run began.
 */
export class ArtifactWriter implements RunSink {
  private readonly requests: PendingFile;
  private readonly iterations: PendingFile;
  private readonly early = new Map<number, string>();
  private nextRequest = 0;
  private iterationCount = 0;
  private readonly chartData = new ServingChartRecorder();

  /** `disk`: the run has a disk tier, whose columns the files get. */
  constructor(private readonly dir: string, disk = false) {
    this.requests = new PendingFile(join(dir, "requests.csv"));
    this.iterations = new PendingFile(join(dir, "iterations.csv"));
    this.requests.line(requestsHeader(disk));
    this.iterations.line(iterationsHeader(disk));
  }

  request(r: RequestResult): void {
    this.chartData.request(r);
    this.early.set(r.requestId, requestLine(r));
    for (let line = this.early.get(this.nextRequest); line !== undefined; line = this.early.get(this.nextRequest)) {
      this.requests.line(line);
      this.early.delete(this.nextRequest++);
    }
  }

  iteration(i: IterationResult): void {
    this.iterations.line(iterationLine(i, this.iterationCount++));
    this.chartData.iteration(i);
  }

  /** Writes the summary and the charts, then puts every file in place; returns the files' names. */
  async finish(summary: ServingSummary): Promise<string[]> {
    if (this.early.size > 0) throw new Error(`requests.csv: ${this.early.size} rows wait for a request that never completed (request ${this.nextRequest})`);
    const charts = await this.chartData.charts(summary);
    const files = { "summary.json": `${JSON.stringify(summary, null, 2)}\n`, ...charts };
    const pending = Object.entries(files).map(([name, text]) => PendingFile.of(join(this.dir, name), text));
    this.requests.commit();
    this.iterations.commit();
    for (const file of pending) file.commit();
    return ["requests.csv", "iterations.csv", ...Object.keys(files)];
  }

  discard(): void {
    this.requests.discard();
    this.iterations.discard();
  }
}
