import { join } from "node:path";
import { iterationLine, iterationsHeader, requestLine, requestsHeader } from "./artifacts.js";
import { chartLabel } from "./chart-recorder.js";
import type { RunSink } from "./engine-run.js";
import { fleetCharts } from "./fleet-charts.js";
import { fleetSummary, type FleetSimulation } from "./fleet.js";
import { PendingFile } from "./pending-file.js";
import { Timeline } from "./timeline.js";

/**
 * What `kvsim serving simulate --instances N --out DIR` writes: `iterations.csv` (instance 0's
 * batches in order, then instance 1's, …, with an `instance` column), `requests.csv` (input order,
 * with the instance each request went to), `summary.json` and the fleet's charts. As for one instance (artifacts.ts), nothing is renamed into place before the run
 * has ended well, and `discard` removes what a failed run began.
 */
export class FleetArtifactWriter {
  /** Each instance's iterations.csv rows, written as it runs and gathered in instance order at the end. */
  private readonly iterations: PendingFile[];
  private readonly iterationCounts: number[];
  private readonly timelines: Timeline[];

  constructor(private readonly dir: string, instances: number) {
    this.iterations = Array.from({ length: instances }, (_, i) => new PendingFile(join(dir, `iterations.csv.part${i}`)));
    this.iterationCounts = Array.from({ length: instances }, () => 0);
    this.timelines = Array.from({ length: instances }, () => new Timeline());
  }

  /** Where instance `i`'s rows go (simulateFleet's `sinkOf`); requests are written from the simulation's results at the end. */
  sinkOf(i: number): RunSink {
    return {
      request: () => {},
      iteration: (it) => {
        this.iterations[i]!.line(`${iterationLine(it, this.iterationCounts[i]!++)},${i}`);
        this.timelines[i]!.add(it);
      },
    };
  }

  /** Writes the requests, the summary and the charts, then puts every file in place; returns the files' names. */
  async finish(sim: FleetSimulation): Promise<string[]> {
    const f = sim.fleet;
    const charts = await fleetCharts({
      ttft: Float64Array.from(sim.requests, (r) => r.ttft), tpot: Float64Array.from(sim.requests, (r) => r.tpot), e2e: Float64Array.from(sim.requests, (r) => r.e2e),
      instances: sim.instances.map((s, i) => ({ requests: s.requests, timeline: this.timelines[i]!.series(s.kvBlocks) })),
      label: `${sim.instances.length} × ${chartLabel(f)}, ${sim.router} router${sim.sessionAffinity === "pinned" ? ", sessions pinned" : ""}`,
    });
    const iterations = new PendingFile(join(this.dir, "iterations.csv"));
    const disk = f.diskTier !== null;
    iterations.line(`${iterationsHeader(disk)},instance`);
    for (const part of this.iterations) part.moveInto(iterations);
    const requests = new PendingFile(join(this.dir, "requests.csv"));
    requests.line(`${requestsHeader(disk)},instance`);
    for (const r of sim.requests) requests.line(`${requestLine(r)},${r.instance}`);
    const files = { "summary.json": `${JSON.stringify(fleetSummary(sim), null, 2)}\n`, ...charts };
    const pending = Object.entries(files).map(([name, text]) => PendingFile.of(join(this.dir, name), text));
    requests.commit();
    iterations.commit();
    for (const file of pending) file.commit();
    return ["requests.csv", "iterations.csv", ...Object.keys(files)];
  }

  discard(): void {
    for (const part of this.iterations) part.discard();
  }
}
