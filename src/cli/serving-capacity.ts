import { Command, Option } from "commander";
import { KvsimInputError } from "../errors.js";
import { atQps, searchCapacity } from "../timed/capacity.js";
import { requestsFor } from "../timed/reads-future.js";
import { simulateServing, simulateServingStream } from "../timed/simulate.js";
import { specAtQps, syntheticStream } from "../timed/workloads.js";
import { ms, table } from "./format.js";
import { parseIntInRange, parsePositiveNumber } from "./options.js";
import { addServingRunOptions, requestSource, servingRunOptions, type ServingRunFlags } from "./serving-run-options.js";

interface CapacityFlags extends ServingRunFlags {
  sloTtftMs?: number;
  sloTpotMs?: number;
  percentile: string;
  startQps: number;
  precision: number;
  maxProbes: number;
  json?: boolean;
}

const NULL_SINK = { request: () => {}, iteration: () => {} };

/** `kvsim serving capacity`: the highest QPS whose TTFT and TPOT percentiles meet their SLOs, as Vidur's capacity search asks. */
export function capacityCommand(): Command {
  return addServingRunOptions(new Command("capacity")
    .description("find the highest arrival rate (QPS) at which a percentile of TTFT and of TPOT meet their SLOs, showing every run of the search (all simulated; docs/timed.md)"))
    .option("--slo-ttft-ms <ms>", "TTFT SLO", parsePositiveNumber("--slo-ttft-ms"))
    .option("--slo-tpot-ms <ms>", "TPOT SLO", parsePositiveNumber("--slo-tpot-ms"))
    .addOption(new Option("--percentile <p>", "which percentile of TTFT and TPOT must meet the SLOs").choices(["50", "90", "99"]).default("99"))
    .option("--start-qps <q>", "the first QPS tried (doubled while runs pass, halved while they fail)", parsePositiveNumber("--start-qps"), 1)
    .option("--precision <f>", "stop when the highest pass and the lowest failure are within this share of each other", parsePositiveNumber("--precision"), 0.01)
    .option("--max-probes <n>", "runs at most", parseIntInRange("--max-probes", 1, 1_000), 30)
    .option("--json", "print {slo, percentile, capacityQps, failingQps, steps: [{qps, ttftS, tpotS, meets}]}")
    .action((flags: CapacityFlags) => {
      if (flags.sloTtftMs === undefined && flags.sloTpotMs === undefined) throw new KvsimInputError("give --slo-ttft-ms, --slo-tpot-ms or both");
      if (flags.diskShared) throw new KvsimInputError("--disk-shared is one store for a fleet's instances; serving capacity runs one instance");
      const options = servingRunOptions(flags);
      const source = requestSource(flags);
      // A workload is drawn at each QPS from the same seed; a trace keeps its requests and its shape of arrivals, scaled.
      const runAt = source.kind === "trace"
        ? (qps: number) => simulateServing({ ...options, requests: atQps(source.requests, qps) }).summary
        : (qps: number) => simulateServingStream({ ...options, requests: requestsFor(options, syntheticStream(specAtQps(source.spec, qps), flags.seed, source.file)) }, NULL_SINK);
      const slo = {
        ...(flags.sloTtftMs !== undefined ? { ttftS: flags.sloTtftMs / 1000 } : {}),
        ...(flags.sloTpotMs !== undefined ? { tpotS: flags.sloTpotMs / 1000 } : {}),
      };
      const percentile = Number(flags.percentile) as 50 | 90 | 99;
      const result = searchCapacity(runAt, { slo: { ...slo, percentile }, startQps: flags.startQps, precision: flags.precision, maxProbes: flags.maxProbes });
      if (flags.json) return console.log(JSON.stringify({ slo, percentile, ...result }));
      console.log(table(["run", "QPS", `p${percentile} TTFT ms`, `p${percentile} TPOT ms`, "meets"],
        result.steps.map((s, i) => [String(i + 1), s.qps.toPrecision(4), ms(s.ttftS), ms(s.tpotS), s.meets ? "yes" : "no"])));
      if (result.capacityQps === null) console.log(`no QPS tried meets the SLOs (down to ${result.steps.at(-1)!.qps.toPrecision(3)}; simulated)`);
      else console.log(`capacity: ${result.capacityQps.toPrecision(4)} QPS meets the SLOs${result.failingQps === null ? " (no failing QPS found within --max-probes)" : `, ${result.failingQps.toPrecision(4)} does not`} (simulated)`);
    });
}
