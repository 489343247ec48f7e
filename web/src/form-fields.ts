import { byId } from "./dom.js";

/** What the page calls an input: its label's own text, so that an error names the field as shown. */
function fieldName(input: HTMLInputElement): string {
  const label = input.closest("label");
  const own = [...(label?.childNodes ?? [])].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? "").join(" ");
  return own.replace(/\s+/g, " ").trim() || input.id;
}

/**
 * The whole number in input `id`, within the input's own min and max; undefined when it is empty.
 * Read from the text, never coerced: 1.5 or 1e3 for a count is refused with the field's name.
 */
export function integerField(id: string): number | undefined {
  const input = byId<HTMLInputElement>(id);
  const text = input.value.trim();
  if (text === "" && input.validity.valid) return undefined;
  const min = Number(input.min);
  const max = input.max === "" ? Number.MAX_SAFE_INTEGER : Number(input.max);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new Error(`${fieldName(input)}: an integer from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}, got "${input.value || "not a number"}"`);
  }
  return n;
}

/** The positive number in input `id`; undefined when it is empty. */
export function positiveField(id: string): number | undefined {
  const input = byId<HTMLInputElement>(id);
  const text = input.value.trim();
  if (text === "" && input.validity.valid) return undefined;
  const x = Number(text);
  if (text === "" || !(Number.isFinite(x) && x > 0)) throw new Error(`${fieldName(input)}: a positive number, got "${input.value || "not a number"}"`);
  return x;
}
