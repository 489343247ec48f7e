import { Command, Option } from "commander";
import { readTrace, TRACE_FORMATS, writeTrace } from "../traces/load.js";
import { WRITABLE_TRACE_FORMATS } from "../traces/trace-format.js";
import type { Trace } from "../traces/trace.js";
import { generateWorkload } from "../workloads/registry.js";
import type { CsvLayout } from "../traces/formats/csv-layout.js";
import { collectKeyValue, parseIntInRange, traceParamsOption } from "./options.js";
import { checkOutputFile } from "./outputs.js";
import { readProgress } from "./progress.js";

/** A trace file read with a bar of MiB read on a terminal (a large CSV or JSONL takes seconds). */
async function readWithProgress(file: string, format: string | undefined, index: number, layout?: CsvLayout): Promise<Trace> {
  const progress = readProgress(`reading ${file}`);
  try {
    return await readTrace(file, format, index, progress?.onProgress, layout);
  } finally {
    progress?.stop();
  }
}

function summary(trace: Trace): Record<string, unknown> {
  const touched = new Uint8Array(trace.numPages);
  for (const p of trace.accesses) touched[p] = 1;
  return {
    name: trace.name,
    pages: trace.numPages,
    accesses: trace.accesses.length,
    distinctPagesTouched: touched.reduce((a, b) => a + b, 0),
    sizes: trace.pageBytes ? "bytes" : trace.pageScalars ? "scalars" : "default",
  };
}

/** A trace's summary as a line of text, or (--json) as JSON; to stderr when the trace itself went to stdout. */
function report(trace: Trace, out: string | undefined, json: boolean | undefined): void {
  const s = summary(trace);
  const line = json ? JSON.stringify(out === undefined ? s : { file: out, ...s })
    : `${out === undefined ? "" : `wrote ${out}: `}${s.accesses} accesses over ${s.pages} pages (${s.distinctPagesTouched} touched), page sizes ${s.sizes}`;
  if (out === "-") console.error(line);
  else console.log(line);
}

export function traceCommand(): Command {
  const trace = new Command("trace").description("generate, convert and inspect page-access trace files");
  trace.command("generate")
    .description("write a built-in workload as a trace file")
    .requiredOption("--workload <name>", "built-in workload (see `kvsim workloads`)")
    .option("--workload-param <k=v>", "workload parameter, repeatable", collectKeyValue)
    .requiredOption("--out <file>", "output file (.jsonl, .csv, .kvt or .oracleGeneral.bin)")
    .addOption(new Option("--format <format>", "output format (default: from the file name)").choices(WRITABLE_TRACE_FORMATS))
    .option("--json", "print {file, name, pages, accesses, distinctPagesTouched, sizes}")
    .action((opts: { workload: string; workloadParam?: Record<string, string>; out: string; format?: string; json?: boolean }) => {
      checkOutputFile(opts.out, "--out");
      const t = generateWorkload(opts.workload, opts.workloadParam);
      writeTrace(t, opts.out, opts.format);
      report(t, opts.out, opts.json);
    });
  trace.command("convert")
    .description("convert a trace between formats")
    .argument("<in>", "input trace file")
    .argument("<out>", "output trace file")
    .addOption(new Option("--from <format>", "input format").choices([...TRACE_FORMATS]))
    .addOption(new Option("--to <format>", "output format").choices(WRITABLE_TRACE_FORMATS))
    .option("--trace-index <n>", "which trace of a multi-trace khl-json file", parseIntInRange("--trace-index", 0, 1_000_000), 0)
    .addOption(traceParamsOption())
    .option("--json", "print {file, name, pages, accesses, distinctPagesTouched, sizes}")
    .action(async (input: string, out: string, opts: { from?: string; to?: string; traceIndex: number; traceParams?: CsvLayout; json?: boolean }) => {
      checkOutputFile(out, "<out>");
      const t = await readWithProgress(input, opts.from, opts.traceIndex, opts.traceParams);
      writeTrace(t, out, opts.to);
      report(t, out, opts.json);
    });
  trace.command("info")
    .description("print a trace's size and page count")
    .argument("<file>", "trace file")
    .addOption(new Option("--format <format>", "input format").choices([...TRACE_FORMATS]))
    .option("--trace-index <n>", "which trace of a multi-trace khl-json file", parseIntInRange("--trace-index", 0, 1_000_000), 0)
    .addOption(traceParamsOption())
    .option("--json", "print {name, pages, accesses, distinctPagesTouched, sizes}")
    .action(async (file: string, opts: { format?: string; traceIndex: number; traceParams?: CsvLayout; json?: boolean }) => {
      report(await readWithProgress(file, opts.format, opts.traceIndex, opts.traceParams), undefined, opts.json);
    });
  return trace;
}
