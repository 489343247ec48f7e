import { StackSampling } from "../../assembly/abi/hierarchy.js";
import { engineModule, instantiate, view, type EngineExports } from "./instance.js";

/** The threshold that keeps every page: the hash's whole range. */
export const SAMPLE_ALL = 2 ** StackSampling.modulusBits;

export interface StackDistanceInput {
  accesses: Int32Array;
  numPages: number;
  /** Bytes per page; absent, every page weighs 1 and the histogram is indexed by the distance itself. */
  weights?: Int32Array;
  /** With weights: the bins' upper bounds, ascending; bin k counts distances in (bounds[k-1], bounds[k]]. */
  bounds?: Float64Array;
  /** SHARDS: keep the pages whose hash is below this, out of `SAMPLE_ALL` (the default keeps all). */
  threshold?: number;
}

export interface StackDistanceHistogram {
  /**
   * Reuses by distance (unit weights; index 0 unused) or by bin (weights; the last bin is beyond
   * every bound). First accesses are in no entry: they miss at every size.
   */
  histogram: Int32Array;
  /** Accesses to sampled pages (all accesses without sampling). */
  sampledAccesses: number;
}

/** The LRU stack-distance pass (assembly/mrc/stack-distances.ts) on an instance of its own. */
export class StackDistanceKernel {
  private readonly raw: EngineExports;

  constructor(module: WebAssembly.Module = engineModule()) {
    this.raw = instantiate(module, "stack distances", this);
  }

  run(input: StackDistanceInput): StackDistanceHistogram {
    const w = this.raw;
    const bins = input.bounds?.length ?? 0;
    w.resetArena();
    w.setupStackDistances(input.numPages, input.accesses.length, input.weights !== undefined, bins);
    view(w, Int32Array, w.stackAccesses(), input.accesses.length).set(input.accesses);
    if (input.weights) {
      view(w, Int32Array, w.stackWeights(), input.numPages).set(input.weights);
      view(w, Float64Array, w.stackBounds(), bins).set(input.bounds ?? []);
    }
    const length = w.stackDistances(input.threshold ?? SAMPLE_ALL);
    return {
      histogram: Int32Array.from(view(w, Int32Array, w.stackHistogram(), length)),
      sampledAccesses: w.stackSampledAccesses(),
    };
  }
}
