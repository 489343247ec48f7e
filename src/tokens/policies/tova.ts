import { attentionRow } from "../trace.js";
import { FORCE, type TokenPolicy } from "./policy.js";

/**
 * TOVA (Oren et al., arXiv:2401.06104; kvpress tova_press.py): attention of the last context
 * query, averaged over every query head of the layer (so all heads keep the same tokens); the
 * last token itself is always kept.
 */
export const tova: TokenPolicy = {
  name: "tova", attention: true, source: "arXiv:2401.06104; kvpress TOVAPress (layer-averaged)",
  summary: "keep the tokens the last context query attends to most (averaged over the layer's heads)",
  score({ view, layerViews }) {
    const t = view.context;
    const s = new Float64Array(t);
    const row = new Float64Array(t);
    let heads = 0;
    for (const v of layerViews) {
      for (let j = 0; j < v.groupSize; j++) {
        attentionRow(v, j, t - 1, row);
        for (let i = 0; i < t; i++) s[i]! += row[i]!;
        heads++;
      }
    }
    for (let i = 0; i < t; i++) s[i]! /= heads;
    s[t - 1] = FORCE;
    return s;
  },
};
