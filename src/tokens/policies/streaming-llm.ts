import { FORCE, type TokenPolicy } from "./policy.js";

const N_SINK = 4;

/** StreamingLLM (Xiao et al., arXiv:2309.17453; kvpress streaming_llm_press.py): 4 attention sinks, then the most recent tokens. */
export const streamingLlm: TokenPolicy = {
  name: "streaming_llm", attention: false, source: "arXiv:2309.17453; kvpress StreamingLLMPress (n_sink = 4)",
  summary: "keep the first 4 tokens (sinks) and the most recent ones",
  score({ view }) {
    const s = new Float64Array(view.context);
    for (let i = 0; i < view.context; i++) s[i] = i < N_SINK ? FORCE + (N_SINK - i) : view.positions[i]!;
    return s;
  },
};
