import { KvsimInputError } from "../errors.js";
import { readJsonFile, validate } from "../json-file.js";
import { nodeBuiltin } from "../util/node-builtins.js";
import { SCENARIO_PRESETS, scenarioPreset } from "./presets.js";
import { scenarioSchema, type Scenario } from "./scenario.js";

/** Checks a scenario object (from a file, a sweep spec or an API call). */
export function parseScenario(value: unknown, source = "scenario"): Scenario {
  return validate(scenarioSchema, value, source) as Scenario;
}

/** A preset name or the path of a scenario JSON file. */
export function resolveScenario(nameOrFile: string): Scenario {
  const preset = scenarioPreset(nameOrFile);
  if (preset) return structuredClone(preset);
  if (nameOrFile.endsWith(".json") || nodeBuiltin("node:fs", `reading scenario ${nameOrFile}`).existsSync(nameOrFile)) {
    return parseScenario(readJsonFile(nameOrFile), nameOrFile);
  }
  throw new KvsimInputError(
    `unknown scenario "${nameOrFile}": not a preset (${Object.keys(SCENARIO_PRESETS).join(", ")}) and not a file`,
  );
}
