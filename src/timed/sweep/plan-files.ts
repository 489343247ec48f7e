import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { KvsimInputError } from "../../errors.js";
import { readJsonFile } from "../../json-file.js";
import type { SpecOrigin } from "../../sweep/plan.js";
import { resolveModel } from "../models.js";
import { readProfileTables } from "../profile-tables.js";
import { readServingTrace } from "../trace-formats.js";
import { planServingSweepWith, type ServingSweepPlan, type ServingSweepSources } from "./plan.js";
import type { ServingSweepSpec } from "./spec.js";

const located = (path: string, origin: SpecOrigin): string => (isAbsolute(path) ? path : resolve(origin.baseDir, path));

/** A serving spec's files on disk, relative to the spec's directory. */
const fileSources: ServingSweepSources = {
  workload(path, origin) {
    const file = located(path, origin);
    if (!existsSync(file)) throw new KvsimInputError(`workload spec ${path} not found (looked for ${file})`);
    return readJsonFile(file);
  },
  trace: (path, format, origin) => readServingTrace(located(path, origin), format),
  // The key is the absolute directory: a worker thread reads the tables again by it.
  tables: async (path, origin) => ({ key: located(path, origin), tables: readProfileTables(located(path, origin)) }),
  modelConfig: (path, origin) => resolveModel(located(path, origin)),
};

/** Plans a serving sweep whose file paths resolve against `origin.baseDir` on this machine. */
export function planServingSweep(spec: ServingSweepSpec, origin: SpecOrigin): Promise<ServingSweepPlan> {
  return planServingSweepWith(spec, origin, fileSources);
}
