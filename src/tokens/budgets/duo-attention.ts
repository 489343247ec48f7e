import { attentionRow, type HeadView } from "../trace.js";
import { roundToTotal, type BudgetAllocator } from "./allocator.js";
import { checkDuoPatternShape } from "./duo-pattern.js";

/**
 * How much a head needs its full cache: the share of attention its stored context queries (the
 * observation window, never the future) give to tokens a streaming head would drop, those past
 * the first `sink` and before the last `recent`; mean over the window and the group. DuoAttention
 * learns a gate per head from the output error of streaming it; this is the attention that
 * streaming would take away, a proxy computable from the trace.
 */
export function retrievalScore(view: HeadView, sink: number, recent: number): number {
  const t = view.context;
  const row = new Float64Array(t);
  let lost = 0, rows = 0;
  for (let j = 0; j < view.groupSize; j++) {
    for (let q = view.queryStart; q < t; q++) {
      attentionRow(view, j, q, row);
      for (let i = sink; i <= q - recent; i++) lost += row[i]!;
      rows++;
    }
  }
  return rows > 0 ? lost / rows : 0;
}

/**
 * DuoAttention-style head classes (Xiao et al., arXiv:2410.10819; kvpress DuoAttentionPress,
 * duo_attention_press.py): retrieval heads keep every token, streaming heads keep `sink` + `recent`
 * (sinks, then the most recent). Heads are ranked across the model by `retrievalScore`; as many
 * of the highest as the total allows become retrieval heads, the others streaming, and what is
 * left is spread over the streaming heads' recent windows. When the total cannot give every head
 * sink + recent, every head is a streaming head with an equal share. The press plays no part:
 * retrieval heads keep all, streaming heads rank as streaming_llm. Given DuoAttention's trained
 * gates (`duoPattern`), those rank the heads instead, ties to the earlier layer and head (DuoAttention
 * breaks ties with noise of at most 1e-6, kvpress by numpy's argsort).
 */
export const duoAttentionAllocator: BudgetAllocator = {
  name: "duo_attention", source: "arXiv:2410.10819; kvpress DuoAttentionPress (head classes from a score on the trace, or DuoAttention's trained gates)",
  summary: "retrieval heads keep everything, streaming heads keep sinks + a recent window",
  allocate({ views, perHead, context, options }) {
    const pattern = options.duoPattern;
    if (pattern) checkDuoPatternShape(pattern, views.length, views[0]!.length, options.duoPatternFile ?? "the DuoAttention head pattern");
    const heads = views.flatMap((layer, l) => layer.map((view, h) => ({ l, h, score: pattern ? pattern[l]![h]! : retrievalScore(view, options.duoSink, options.duoRecent) })));
    const total = heads.length * perHead;
    const streamingSize = Math.min(context, options.duoSink + options.duoRecent);
    const retrieval = total >= heads.length * streamingSize && context > streamingSize
      ? Math.min(heads.length, Math.floor((total - heads.length * streamingSize) / (context - streamingSize)))
      : 0;
    heads.sort((a, b) => b.score - a.score || a.l - b.l || a.h - b.h);
    const streaming = heads.slice(retrieval);
    const share = roundToTotal(streaming.map(() => (total - retrieval * context) / streaming.length), total - retrieval * context);
    const budgets = views.map((layer) => layer.map(() => context));
    const rankedBy: (string | undefined)[][] = views.map((layer) => layer.map(() => undefined));
    streaming.forEach(({ l, h }, k) => {
      budgets[l]![h] = share[k]!;
      rankedBy[l]![h] = "streaming_llm";
    });
    return { budgets, rankedBy };
  },
};
