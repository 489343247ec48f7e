/** Renders rows as a fixed-width text table (numbers right-aligned). */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[], numeric: boolean[]): string =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  return [line(header, numeric.map(() => false)), widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map((r) => line(r, numeric))].join("\n");
}

export const fixed = (digits: number) => (x: number): string => x.toFixed(digits);

/** Seconds as milliseconds to 0.1 ms; NaN (no such figure) as a dash. */
export const ms = (x: number): string => (Number.isNaN(x) ? "–" : (x * 1000).toFixed(1));
