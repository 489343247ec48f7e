/** Poisson(lambda) by Knuth's product of uniforms: fine for the small means (≤ 10) kvsim draws. */
export function knuthPoisson(lambda: number, uniform: () => number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = uniform();
  while (p > limit) {
    k++;
    p *= uniform();
  }
  return k;
}
