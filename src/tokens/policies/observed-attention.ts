import { KvsimInputError } from "../../errors.js";
import type { TokenPolicy } from "./policy.js";

/**
 * kvpress's ObservedAttentionPress (observed_attention_press.py, `score`): each token's attention
 * summed over every context query and divided by the number of queries that can see it, so a
 * token is judged by its mean attention rather than by how long it has been visible (the bias of
 * `h2o`'s raw sum); averaged over the group. No recent window. Read from the trace's
 * `observed_attn`, which the generator computes from all T context queries.
 */
export const observedAttention: TokenPolicy = {
  name: "observed_attention", attention: true, source: "kvpress ObservedAttentionPress (H2O-like, mean over the queries that see each token)",
  summary: "keep the tokens with the largest mean attention from the context queries that can see them",
  score({ view }) {
    if (!view.observedAttn) throw new KvsimInputError("token policy \"observed_attention\" needs the trace's observed_attn array, which this trace lacks (written before kvsim stored it); regenerate it with `kvsim tokens generate`");
    return Float64Array.from(view.observedAttn);
  },
};
