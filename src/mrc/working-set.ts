/** What a trace touches: its distinct pages, their bytes (the working-set size) and the largest of them. */
export interface WorkingSet {
  objects: number;
  bytes: number;
  largestPageBytes: number;
}

/** The working set of `accesses` over pages of `pageBytes` bytes each; pages never accessed do not count. */
export function workingSet(accesses: Int32Array, pageBytes: Int32Array): WorkingSet {
  const touched = new Uint8Array(pageBytes.length);
  for (let i = 0; i < accesses.length; i++) touched[accesses[i]!] = 1;
  let objects = 0;
  let bytes = 0;
  let largestPageBytes = 0;
  for (let p = 0; p < touched.length; p++) {
    if (!touched[p]) continue;
    objects++;
    bytes += pageBytes[p]!;
    largestPageBytes = Math.max(largestPageBytes, pageBytes[p]!);
  }
  return { objects, bytes, largestPageBytes };
}
