import { KvsimInputError } from "../errors.js";

/** A cache size as asked: a count (objects or bytes), or a percentage of the working set. */
export type SizeSpec = { count: number } | { percent: string };

/**
 * One size of a list such as `1%,5%,490`: a percentage in (0, 100] (kept as its decimal text,
 * so that resolving it is exact) or a positive integer.
 */
function parseSize(text: string, label: string): SizeSpec {
  const t = text.trim();
  const percent = /^(\d+(?:\.\d+)?|\.\d+)%$/.exec(t);
  if (percent) {
    const value = Number(percent[1]);
    if (!(value > 0 && value <= 100)) throw new KvsimInputError(`${label}: "${t}" must be a percentage in (0%, 100%]`);
    return { percent: percent[1]! };
  }
  if (!/^\d+$/.test(t) || Number(t) < 1 || !Number.isSafeInteger(Number(t))) {
    throw new KvsimInputError(`${label}: "${t}" is neither a positive integer nor a percentage such as 5%`);
  }
  return { count: Number(t) };
}

/** Parses sizes given as a comma-separated list or as an array of numbers and strings. */
export function parseSizes(sizes: string | readonly (number | string)[], label: string): SizeSpec[] {
  const items = typeof sizes === "string" ? sizes.split(",") : sizes.map(String);
  if (items.length === 0 || (items.length === 1 && items[0]!.trim() === "")) throw new KvsimInputError(`${label}: give at least one size`);
  return items.map((item) => parseSize(item, label));
}

/** ⌊percent / 100 × whole⌋, exactly: the percentage's decimal digits as an integer ratio. */
function percentOf(percent: string, whole: number): number {
  const [int, frac = ""] = percent.split(".");
  const numerator = BigInt(`${int ?? ""}${frac}` || "0") * BigInt(whole);
  return Number(numerator / (100n * 10n ** BigInt(frac.length)));
}

/**
 * The sizes as counts, ascending and each once. Percentages are of `whole` (the working set) and
 * round down; each must come to at least `smallest` (1, or the largest page's bytes, which a
 * one-tier cache must hold).
 */
export function resolveSizes(specs: readonly SizeSpec[], whole: number, unit: string, smallest: number, label: string): number[] {
  const counts = specs.map((s) => {
    const n = "count" in s ? s.count : percentOf(s.percent, whole);
    const asked = "count" in s ? `${n.toLocaleString("en-US")} ${unit}` : `${s.percent}% of ${whole.toLocaleString("en-US")} ${unit} is ${n.toLocaleString("en-US")}`;
    if (n < 1) throw new KvsimInputError(`${label}: ${asked}; a cache needs at least 1`);
    if (n < smallest) throw new KvsimInputError(`${label}: ${asked}, smaller than the largest page (${smallest.toLocaleString("en-US")} ${unit}), which a cache must hold`);
    return n;
  });
  return [...new Set(counts)].sort((a, b) => a - b);
}
