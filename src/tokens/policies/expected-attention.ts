import { KvsimInputError } from "../../errors.js";
import { meanRotation } from "../rope.js";
import { FORCE, type TokenPolicy } from "./policy.js";

const N_SINK = 4;
const N_FUTURE_POSITIONS = 512;

/** R̄·μ and R̄·Σ·R̄ᵀ for a d×d row-major R̄. */
function rotateStatistics(r: Float64Array, mean: Float32Array, cov: Float32Array, d: number): { mu: Float64Array; sigma: Float64Array } {
  const mu = new Float64Array(d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) mu[a]! += r[a * d + b]! * mean[b]!;
  const rs = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) for (let b = 0; b < d; b++) rs[a * d + b]! += r[a * d + c]! * cov[c * d + b]!;
  const sigma = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) for (let c = 0; c < d; c++) sigma[a * d + b]! += rs[a * d + c]! * r[b * d + c]!;
  return { mu, sigma };
}

/**
 * kvpress's ExpectedAttentionPress (expected_attention_press.py, `get_query_statistics` and
 * `score`; Devoto et al., arXiv:2510.00636), defaults n_future_positions 512, n_sink 4,
 * use_covariance, use_vnorm, epsilon 0. Future queries are modelled as Gaussian with the mean μ
 * and covariance Σ of the pre-RoPE context queries (positions ≥ 4; stored in the trace as
 * query_mean/query_cov), turned by the RoPE rotation averaged over the next 512 positions
 * (identity on traces without RoPE). Each key's expected logit is the log of the Gaussian
 * moment-generating function, z_i = s·k_i·μ' + s²·k_iᵀΣ'k_i/2 (s the softmax scale, 1/√d in
 * kvpress); softmax over the non-sink keys, mean over the group, times ‖v_i‖. The 4 sinks are
 * always kept (kvpress pads them with the maximum score, to the same end). The trace's synthetic
 * position bias is not part of the model, as kvpress knows no such term.
 */
export const expectedAttention: TokenPolicy = {
  name: "expected_attention", attention: false, source: "arXiv:2510.00636; kvpress ExpectedAttentionPress (512 future positions, covariance, value norms)",
  summary: "keep the tokens future queries are expected to attend to (Gaussian query statistics), weighted by value norm",
  score({ view }) {
    if (!view.queryStats) throw new KvsimInputError("token policy \"expected_attention\" needs the trace's query_mean and query_cov arrays, which this trace lacks (written before kvsim stored them); regenerate it with `kvsim tokens generate`");
    const d = view.headDim;
    const t = view.context;
    const sink = Math.min(N_SINK, t);
    const s = new Float64Array(t);
    const rotation = view.rope ? meanRotation(d, t, N_FUTURE_POSITIONS, view.rope) : undefined;
    const z = new Float64Array(t);
    for (const stats of view.queryStats) {
      const { mu, sigma } = rotation ? rotateStatistics(rotation, stats.mean, stats.cov, d) : { mu: stats.mean, sigma: stats.cov };
      let max = -Infinity;
      for (let i = sink; i < t; i++) {
        const k = view.keys.subarray(i * d, (i + 1) * d);
        let linear = 0, quadratic = 0;
        for (let a = 0; a < d; a++) {
          linear += k[a]! * mu[a]!;
          let row = 0;
          for (let b = 0; b < d; b++) row += sigma[a * d + b]! * k[b]!;
          quadratic += k[a]! * row;
        }
        z[i] = view.softmaxScale * linear + (view.softmaxScale ** 2 * quadratic) / 2;
        if (z[i]! > max) max = z[i]!;
      }
      let sum = 0;
      for (let i = sink; i < t; i++) sum += z[i] = Math.exp(z[i]! - max);
      for (let i = sink; i < t; i++) s[i]! += z[i]! / sum / view.queryStats.length;
    }
    for (let i = sink; i < t; i++) {
      let vv = 0;
      for (let c = 0; c < d; c++) vv += view.values[i * d + c]! ** 2;
      s[i]! *= Math.sqrt(vv);
    }
    for (let i = 0; i < sink; i++) s[i] = FORCE + sink - i;
    return s;
  },
};
