import { join } from "node:path";
import { Command, Option } from "commander";
import { KvsimInputError } from "../errors.js";
import { mrcArtifacts } from "../mrc/artifacts.js";
import { missRatioCurvesWith, shownRate, type MissRatioCurve, type MissRatioCurves } from "../mrc/curves.js";
import { checkCurveRequest, type CurveRequest, type FieldNames } from "../mrc/request.js";
import { PROFILES, type Profile } from "../policies/registry.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { sweepInMemory } from "../sweep/sweep-in-memory.js";
import type { CsvLayout } from "../traces/formats/csv-layout.js";
import { readTrace, TRACE_FORMATS } from "../traces/load.js";
import type { Trace } from "../traces/trace.js";
import { table } from "./format.js";
import { once, parseFraction, parseIntInRange, traceParamsOption } from "./options.js";
import { checkOutputDir } from "./outputs.js";

interface MrcCliOptions {
  trace: string;
  traceFormat?: string;
  traceParams?: CsvLayout;
  policy: string;
  sizes: string;
  ignoreObjSize?: boolean;
  profile: Profile;
  sampleRate?: number;
  exactReplays?: boolean;
  threads?: number;
  json?: boolean;
  out?: string;
}

const FLAGS: FieldNames = { policies: "--policy", sizes: "--sizes", sampleRate: "--sample-rate", exactReplays: "--exact-replays" };

/** The trace, its read errors naming the flag. */
async function readTraceFlag(file: string, format: string | undefined, layout: CsvLayout | undefined): Promise<Trace> {
  try {
    return await readTrace(file, format, 0, undefined, layout);
  } catch (err) {
    throw err instanceof KvsimInputError ? new KvsimInputError(`--trace: ${err.message}`) : err;
  }
}

/** How each curve was made, a line per method. */
function methodNotes(mrc: MissRatioCurves): string[] {
  const named = (method: MissRatioCurve["method"]) => mrc.curves.filter((c) => c.method === method).map((c) => c.policy);
  const notes: string[] = [];
  if (named("stack-distances").length) {
    notes.push(mrc.unit === "objects"
      ? "lru: exact at every size, from one pass over its stack distances (Mattson et al. 1970)"
      : "lru: one pass over byte stack distances; with sizes LRU is not a stack algorithm, so a replay can miss more (--exact-replays replays it; docs/mrc.md)");
  }
  if (named("shards").length) {
    notes.push(`lru: SAMPLED by SHARDS at R = ${shownRate(mrc.sampleRate!)} (Waldspurger et al., FAST'15), an estimate, not exact: ` +
      "the paper reports mean absolute miss-ratio errors below 0.01 on its traces; docs/mrc.md has kvsim's own measurements");
  }
  const replayed = named("replays");
  if (replayed.length) notes.push(`${replayed.join(", ")}: one replay per size`);
  return notes;
}

function render(mrc: MissRatioCurves, opts: MrcCliOptions): string {
  const head = `Miss-ratio curves of ${opts.trace} (profile ${opts.profile}): ${mrc.requests.toLocaleString("en-US")} requests, ` +
    `${mrc.objects.toLocaleString("en-US")} objects${mrc.unit === "bytes" ? `, ${mrc.workingSet.toLocaleString("en-US")} bytes` : ""} — simulated miss ratios`;
  const sizes = mrc.curves[0]!.points.map((p) => p.size);
  const rows = sizes.map((size, i) => [size, `${((100 * size) / mrc.workingSet).toFixed(2)}%`, ...mrc.curves.map((c) => c.points[i]!.missRatio.toFixed(4))]);
  const body = table([`size (${mrc.unit})`, `% of ${mrc.unit}`, ...mrc.curves.map((c) => c.policy)], rows);
  return [head, "", body, "", ...methodNotes(mrc)].join("\n");
}

export function mrcCommand(): Command {
  return new Command("mrc")
    .description("miss-ratio curves of a trace: every policy at every cache size (LRU in one pass; all figures simulated)")
    .requiredOption("--trace <file>", "a page-access trace file (e.g. libCacheSim's NAME.oracleGeneral.bin)", once("--trace"))
    .addOption(new Option("--trace-format <format>", "trace file format (default: from the file name)").choices([...TRACE_FORMATS]))
    .addOption(traceParamsOption())
    .requiredOption("--policy <list>", "policies, comma-separated (e.g. lru,s3fifo; see `kvsim policies`)", once("--policy"))
    .requiredOption("--sizes <list>", "cache sizes, comma-separated: percentages of the working set (1%,5%) or counts (490,2449): objects with --ignore-obj-size, else bytes", once("--sizes"))
    .option("--ignore-obj-size", "every object counts as one: sizes are numbers of objects (libCacheSim's --ignore-obj-size)")
    .addOption(new Option("--profile <profile>", "kvsim: kvsim's definitions; libcachesim: libCacheSim's definition of every policy that has one; khl: kv-hierarchy-lab's").choices([...PROFILES]).default("kvsim"))
    .option("--sample-rate <R>", "sample the LRU curve with SHARDS at rate R in (0, 1] (for large traces; an estimate)", parseFraction("--sample-rate"))
    .option("--exact-replays", "replay LRU once per size instead of the one-pass curve")
    .option("--threads <n>", "worker threads for the replays (default: available parallelism; small traces run on the main thread)", parseIntInRange("--threads", 1, 1_024))
    .option("--json", "print { requests, objects, curves: [{ policy, points: [{ size, misses, missRatio }] }] }")
    .option("--out <dir>", "also write mrc.csv (policy,size,misses,miss_ratio) and mrc.svg there")
    .addHelpText("after", `
Sizes: a percentage is of the distinct objects with --ignore-obj-size, else of the distinct objects'
bytes, rounded down; every size is at least 1 (and at least the largest object's bytes). Sizes are
sorted and given once. A miss is any access to an object the cache does not hold, first accesses included.

Examples:
  kvsim mrc --trace cloudPhysicsIO.oracleGeneral.bin --ignore-obj-size --policy lru,fifo,s3fifo --sizes 1%,5%,10%,20% --profile libcachesim
  kvsim mrc --trace zipf.kvt --ignore-obj-size --policy lru --sizes 1%,2%,5%,10%,20%,50% --sample-rate 0.01 --out mrc/`)
    .action(async (opts: MrcCliOptions) => {
      if (opts.out !== undefined) checkOutputDir(opts.out, "--out");
      const request: CurveRequest = {
        policies: opts.policy.split(",").map((p) => p.trim()), sizes: opts.sizes, ignoreObjectSize: opts.ignoreObjSize ?? false,
        profile: opts.profile, sampleRate: opts.sampleRate, exactReplays: opts.exactReplays ?? false,
      };
      checkCurveRequest(request, FLAGS);
      const trace = await readTraceFlag(opts.trace, opts.traceFormat, opts.traceParams);
      const mrc = await missRatioCurvesWith({ ...request, trace, threads: opts.threads }, sweepInMemory, FLAGS);
      if (opts.out !== undefined) {
        const files = await mrcArtifacts(mrc, trace.name);
        for (const [name, text] of Object.entries(files)) writeFileAtomic(join(opts.out, name), text);
      }
      const { requests, objects, curves } = mrc;
      console.log(opts.json
        ? JSON.stringify({ requests, objects, curves: curves.map(({ policy, points }) => ({ policy, points })) })
        : render(mrc, opts));
    });
}
