/**
 * What every engine build takes the same way: the arena reset that starts a run, and the policy
 * parameters a run or a pool is set up with.
 */

/** The parameters of the policy the next `start` / `poolSetup` / `servingSetup` uses. */
export let paramArray = new StaticArray<f64>(0);

export function resetArena(): void {
  // @ts-ignore: __reset is the stub runtime's arena reset
  __reset();
}

export function paramsBuffer(length: i32): usize {
  paramArray = new StaticArray<f64>(length);
  return changetype<usize>(paramArray);
}
