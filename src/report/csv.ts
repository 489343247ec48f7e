/** One CSV field: JSON for non-strings, quoted when it holds a comma, quote or newline. */
export function csvCell(value: unknown): string {
  const s = value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header.join(","), ...rows.map((r) => r.map(csvCell).join(","))].join("\n") + "\n";
}
