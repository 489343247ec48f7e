/**
 * LRU stack distances the obvious way: the recency stack as an array, searched from the top at
 * every access. O(n × distinct pages); only for small traces in tests.
 */

/** The byte (or unit) stack distance of every access, 0 for a first access. */
export function naiveStackDistances(accesses: readonly number[], weights: readonly number[]): number[] {
  const stack: number[] = [];
  return accesses.map((page) => {
    const at = stack.indexOf(page);
    let distance = 0;
    if (at >= 0) {
      for (let i = 0; i <= at; i++) distance += weights[stack[i]!]!;
      stack.splice(at, 1);
    }
    stack.unshift(page);
    return distance;
  });
}

/** SHARDS's page filter as the engine hashes it: murmur3's finalizer of the page index xor 0x9e3779b9. */
export function shardsHash(page: number): number {
  let h = (page ^ 0x9e3779b9) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
