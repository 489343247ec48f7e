import { KvsimInputError } from "../errors.js";
import { policyInfo, type Profile } from "../policies/registry.js";
import { parseSizes, type SizeSpec } from "./sizes.js";

/** What a miss-ratio curve asks for, before any trace is read. */
export interface CurveRequest {
  /** Policy names, each once; a curve per policy, in this order. */
  policies: readonly string[];
  /** Cache sizes: positive integers (objects with `ignoreObjectSize`, else bytes) or percentages of the working set ("5%"); a string is a comma-separated list. */
  sizes: string | readonly (number | string)[];
  /** Every page counts as one object (libCacheSim's --ignore-obj-size); sizes are then in objects. */
  ignoreObjectSize?: boolean;
  /** `kvsim` (default), `khl` or `libcachesim` (libCacheSim's definition of every policy that has one). */
  profile?: Profile;
  /** SHARDS: sample the one-pass LRU curve at this rate in (0, 1]. */
  sampleRate?: number;
  /** Replay LRU once per size instead of the one-pass stack-distance curve. */
  exactReplays?: boolean;
}

/** What each request field is called in messages: its API name, or the CLI's flag. */
export interface FieldNames {
  policies: string;
  sizes: string;
  sampleRate: string;
  exactReplays: string;
}

export const API_FIELD_NAMES: FieldNames = { policies: "policies", sizes: "sizes", sampleRate: "sampleRate", exactReplays: "exactReplays" };

/** A request checked: its policies known in its profile, its sizes parsed, and whether LRU takes the one-pass path. */
export interface CheckedRequest {
  policies: string[];
  profile: Profile;
  sizes: SizeSpec[];
  onePassLru: boolean;
}

/** Every check that needs no trace; each error names the field. */
export function checkCurveRequest(request: CurveRequest, names: FieldNames = API_FIELD_NAMES): CheckedRequest {
  const profile = request.profile ?? "kvsim";
  if (request.policies.length === 0) throw new KvsimInputError(`${names.policies}: give at least one policy`);
  const seen = new Set<string>();
  for (const name of request.policies) {
    let info;
    try {
      info = policyInfo(name);
    } catch (err) {
      throw err instanceof KvsimInputError ? new KvsimInputError(`${names.policies}: ${err.message}`) : err;
    }
    if (!info.profiles.includes(profile)) throw new KvsimInputError(`${names.policies}: policy "${name}" is not available in the ${profile} profile`);
    if (seen.has(name)) throw new KvsimInputError(`${names.policies}: "${name}" given twice`);
    seen.add(name);
  }
  const sizes = parseSizes(request.sizes, names.sizes);
  const onePassLru = seen.has("lru") && !request.exactReplays;
  const rate = request.sampleRate;
  if (rate !== undefined) {
    if (!(rate > 0 && rate <= 1)) throw new KvsimInputError(`${names.sampleRate} must be in (0, 1], got ${rate}`);
    if (!onePassLru) {
      throw new KvsimInputError(`${names.sampleRate} samples the one-pass LRU curve: ${request.exactReplays ? `drop ${names.exactReplays}` : `add lru to ${names.policies}`}`);
    }
  }
  return { policies: [...request.policies], profile, sizes, onePassLru };
}
