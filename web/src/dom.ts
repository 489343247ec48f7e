/** The element with this id; a missing one is a bug in index.html, so fail loudly. */
export function byId<T extends Element = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el as Element as T;
}

/** A labelled checkbox inside `parent`. */
export function checkbox(parent: HTMLElement, value: string, checked: boolean, title = ""): HTMLInputElement {
  const label = document.createElement("label");
  label.title = title;
  const input = document.createElement("input");
  input.type = "checkbox";
  input.value = value;
  input.checked = checked;
  label.append(input, " ", value);
  parent.append(label);
  return input;
}

export function fillSelect(select: HTMLSelectElement, values: readonly string[], selected?: string): void {
  select.replaceChildren(...values.map((v) => new Option(v, v, false, v === selected)));
}

export function showError(box: HTMLElement, err: unknown): void {
  box.hidden = err === undefined;
  box.textContent = err === undefined ? "" : err instanceof Error ? err.message : String(err);
}

/** Offers `text` as a file download. */
export function download(name: string, text: string, type = "text/plain"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Shows an SVG document as an image: each chart keeps its own id space (Vega names clip paths
 * clip0, clip1… in every chart, which would collide if inlined into one page).
 */
export function svgImage(svg: string, alt: string): HTMLImageElement {
  const img = document.createElement("img");
  img.alt = alt;
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  img.onload = img.onerror = () => URL.revokeObjectURL(url);
  img.src = url;
  return img;
}
