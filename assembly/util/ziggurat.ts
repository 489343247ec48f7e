/**
 * Tables of the ziggurat method for normal deviates (Marsaglia & Tsang, J. Stat. Softw. 5(8),
 * 2000), in Doornik's ZIGNOR form (2005): 128 layers of equal area under exp(−x²/2), layer 0
 * the base strip with the tail beyond R. Most draws cost one 64-bit random number, a table
 * lookup and a multiply; exp and log run only in the wedges and the tail.
 *
 * The tables live in static memory (not in the arena that each run resets) and are computed
 * once, in WASM, so every host gets the same bits.
 */
export const LAYERS: i32 = 128;
export const TAIL_START: f64 = 3.442619855899;
const LAYER_AREA: f64 = 9.91256303526217e-3;

const xs = memory.data(8 * (LAYERS + 1));     // layer edges: X[0] = V / f(R), X[1] = R, …, X[128] = 0
const ratios = memory.data(8 * LAYERS);       // X[i + 1] / X[i]: below it a draw is inside the layer's box
let ready = false;

@inline export function layerEdge(i: i32): f64 {
  return load<f64>(xs + (<usize>i << 3));
}

@inline export function layerRatio(i: i32): f64 {
  return load<f64>(ratios + (<usize>i << 3));
}

export function prepareZiggurat(): void {
  if (ready) return;
  let f = Math.exp(-0.5 * TAIL_START * TAIL_START);
  store<f64>(xs, LAYER_AREA / f);
  store<f64>(xs + 8, TAIL_START);
  store<f64>(xs + (<usize>LAYERS << 3), 0.0);
  for (let i = 2; i < LAYERS; i++) {
    const x = Math.sqrt(-2.0 * Math.log(LAYER_AREA / layerEdge(i - 1) + f));
    store<f64>(xs + (<usize>i << 3), x);
    f = Math.exp(-0.5 * x * x);
  }
  for (let i = 0; i < LAYERS; i++) store<f64>(ratios + (<usize>i << 3), layerEdge(i + 1) / layerEdge(i));
  ready = true;
}
