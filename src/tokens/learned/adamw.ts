/**
 * AdamW (Loshchilov & Hutter 2019) with torch.optim.AdamW's defaults (β = 0.9, 0.999, ε = 1e-8,
 * decoupled weight decay), global gradient-norm clipping, and KV Policy's schedule (App. A.2):
 * linear warm-up from 1% of the rate, then cosine decay to a floor.
 */
export interface AdamWOptions {
  learningRate: number;
  minLearningRate: number;
  warmupSteps: number;
  totalSteps: number;
  weightDecay: number;
  clipNorm: number;
}

export class AdamW {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(size: number, private readonly options: AdamWOptions) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** The rate at step t (0-based): warm-up from 0.01·lr, then cosine from lr to the floor. */
  rate(t: number): number {
    const { learningRate: lr, minLearningRate: lo, warmupSteps: w, totalSteps: n } = this.options;
    if (t < w) return lr * (0.01 + 0.99 * (t / w));
    const progress = n > w ? (t - w) / (n - w) : 1;
    return lo + 0.5 * (lr - lo) * (1 + Math.cos(Math.PI * Math.min(1, progress)));
  }

  /** One step on `params` with `grad` (clipped in place); returns the gradient norm before clipping. */
  step(params: Float64Array, grad: Float64Array): number {
    const { weightDecay, clipNorm } = this.options;
    let norm = 0;
    for (let i = 0; i < grad.length; i++) norm += grad[i]! * grad[i]!;
    norm = Math.sqrt(norm);
    const scale = norm > clipNorm ? clipNorm / (norm + 1e-6) : 1;
    const lr = this.rate(this.t);
    this.t++;
    const b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]! * scale;
      this.m[i] = b1 * this.m[i]! + (1 - b1) * g;
      this.v[i] = b2 * this.v[i]! + (1 - b2) * g * g;
      params[i]! -= lr * weightDecay * params[i]!;
      params[i]! -= (lr * (this.m[i]! / c1)) / (Math.sqrt(this.v[i]! / c2) + eps);
    }
    return norm;
  }
}
