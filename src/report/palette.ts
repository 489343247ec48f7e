/**
 * Categorical colours for series named after registry entries (policies, token policies,
 * schedulers). D3's category10 first, then fifteen more picked greedily for the largest smallest
 * CIEDE2000 difference to those before, lightness 35–72 so each reads on white: any two differ by
 * at least 16 (2 is a just-noticeable difference).
 */
export const CATEGORY_COLOURS: readonly string[] = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  "#006655", "#665500", "#aa0066", "#99aaff", "#2222ff", "#ff8888", "#aa8844", "#99aa88", "#bbaabb", "#226600",
  "#555577", "#00bb99", "#ff0077", "#00aaff", "#aa5500",
];

/** Vega point shapes; seven, prime to the 25 colours, so colour and shape together repeat only after 175 series. */
export const POINT_SHAPES: readonly string[] = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right"];

/** One series of a chart: its label, and the registry entry it runs (a labelled variant's policy). */
export interface Series {
  label: string;
  name: string;
}

/** Vega-Lite `scale` objects for a nominal field, listing the labels in drawing order. */
export interface SeriesScales {
  color: { domain: string[]; range: string[] };
  shape: { domain: string[]; range: string[] };
}

/**
 * Colour and point shape for each series, by its entry's place in `registry`, so an entry looks
 * the same in every chart whichever subset is drawn. The series labelled with the bare name takes
 * that slot (else the entry's first variant); further variants of an entry take the slots after
 * the registry's, in order.
 */
export function registryScales(registry: readonly string[], series: readonly Series[]): SeriesScales {
  const labels = [...new Map(series.map((s) => [s.label, s])).values()];
  const owner = new Map<string, string>();
  for (const s of labels) {
    if (!registry.includes(s.name)) throw new Error(`"${s.name}" is not in the registry the chart colours by (${registry.join(", ")})`);
    if (s.label === s.name || !owner.has(s.name)) owner.set(s.name, s.label);
  }
  let spare = registry.length;
  const slots = labels.map((s) => (owner.get(s.name) === s.label ? registry.indexOf(s.name) : spare++));
  const domain = labels.map((s) => s.label);
  return {
    color: { domain, range: slots.map((i) => CATEGORY_COLOURS[i % CATEGORY_COLOURS.length]!) },
    shape: { domain, range: slots.map((i) => POINT_SHAPES[i % POINT_SHAPES.length]!) },
  };
}
