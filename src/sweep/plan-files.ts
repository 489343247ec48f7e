import { existsSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { KvsimInputError } from "../errors.js";
import { resolveScenario } from "../hierarchy/load-scenario.js";
import { readKhlTraceList } from "../traces/khl-json.js";
import { readTrace } from "../traces/load.js";
import type { SweepSpec } from "./spec.js";
import { planSweepWith, type SpecOrigin, type SweepPlan, type SweepSources } from "./plan.js";

export function originOf(file: string): SpecOrigin {
  return { source: file, baseDir: dirname(resolve(file)) };
}

const located = (path: string, origin: SpecOrigin): string => (isAbsolute(path) ? path : resolve(origin.baseDir, path));

/** Scenario and trace files on disk, relative to the spec's directory. */
const fileSources: SweepSources = {
  scenario(path, origin) {
    const file = located(path, origin);
    if (!existsSync(file)) throw new KvsimInputError(`"${path}" is neither a scenario preset nor a file (looked for ${file})`);
    return resolveScenario(file);
  },
  traceFile(path, origin) {
    const file = located(path, origin);
    if (!existsSync(file)) throw new KvsimInputError(`trace file ${path} not found (looked for ${file})`);
    return { id: file, name: basename(path), read: (format, index) => readTrace(file, format, index), list: () => readKhlTraceList(file) };
  },
};

/** Plans a sweep whose file paths resolve against `origin.baseDir` on this machine. */
export function planSweep(spec: SweepSpec, origin: SpecOrigin): Promise<SweepPlan> {
  return planSweepWith(spec, origin, fileSources);
}
