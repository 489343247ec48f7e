/** A copy of `a`, `factor` times as long and at least `atLeast` long, for arrays that grow as a file is read. */
export function grownInt32(a: Int32Array, atLeast: number, factor = 2): Int32Array<ArrayBuffer> {
  const out = new Int32Array(Math.max(Math.ceil(a.length * factor), atLeast));
  out.set(a);
  return out;
}
