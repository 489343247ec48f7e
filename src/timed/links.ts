import { KvsimInputError } from "../errors.js";

/** One direction of a link between KV tiers: its bandwidth and the latency of one transfer. */
export interface LinkSpec {
  bytesPerS: number;
  latencyS: number;
}

/** The most GB/s a link given as a number may carry. */
const MAX_GBPS = 10_000;

/**
 * A link as a user writes it (a flag, a form field): the name of one of `presets`, else GB/s in
 * (0, 10000] that `ofGbps` makes a link of; `field` names it in the error.
 */
export function parseLink<P extends string, L>(text: string, field: string, presets: Readonly<Record<P, unknown>>, ofGbps: (gbps: number) => L): P | L {
  if (Object.hasOwn(presets, text)) return text as P;
  const gbps = Number(text);
  if (text.trim() === "" || !(gbps > 0 && gbps <= MAX_GBPS)) throw new KvsimInputError(`${field} must be ${Object.keys(presets).join(", ")} or GB/s in (0, ${MAX_GBPS}], got "${text}"`);
  return ofGbps(gbps);
}

/** Preset `name` of `presets`; `what` names the tier in the error. */
export function presetLink<T>(name: string, presets: Readonly<Record<string, T>>, what: string): T {
  if (!Object.hasOwn(presets, name)) throw new KvsimInputError(`${what}: unknown link "${name}" (${Object.keys(presets).join(", ")})`);
  return presets[name]!;
}

/** `link`, checked: a positive bandwidth and a latency of at least 0; `what` names the tier in the error. */
export function checkedLink(link: LinkSpec, what: string): LinkSpec {
  if (!(link.bytesPerS > 0) || !(link.latencyS >= 0)) throw new KvsimInputError(`${what}: the link needs a positive bandwidth and a latency of at least 0`);
  return { bytesPerS: link.bytesPerS, latencyS: link.latencyS };
}
