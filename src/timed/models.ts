import * as z from "zod/mini";
import { KvsimInputError } from "../errors.js";
import { readJsonFile, validate } from "../json-file.js";

/**
 * A decoder-only transformer as the timed serving simulator costs it (docs/timed.md): enough of
 * its architecture to count the FLOPs and bytes of an iteration and the KV cache a token needs.
 * Loadable from a Hugging Face `config.json` (`modelFromHfConfig`); presets below.
 */
export interface ModelSpec {
  name: string;
  layers: number;
  hiddenSize: number;
  /** Per expert for a mixture of experts. */
  intermediateSize: number;
  attentionHeads: number;
  /** Grouped-query attention: fewer KV heads than query heads (equal for plain multi-head). */
  kvHeads: number;
  headDim: number;
  vocabSize: number;
  /** Experts per MoE layer (1: a dense model) and how many each token is routed to. */
  experts: number;
  expertsPerToken: number;
  /** Whether q, k and v projections carry a bias (Qwen2). */
  qkvBias: boolean;
  /** Whether the output head reuses the input embedding. */
  tiedEmbeddings: boolean;
  /** Bytes per weight and per KV element (2 for fp16 / bf16). */
  dtypeBytes: number;
  /** Where the figures come from. */
  source: string;
}

/** Parameter counts of a model, from its architecture (gated SwiGLU MLPs, RMSNorm, no other biases). */
export interface ParameterCount {
  /** Every weight, each expert counted. */
  total: number;
  /** The weights one token passes through: its routed experts only. */
  active: number;
  /** The weights of the transformer layers alone (no embedding, no output head), total. */
  layers: number;
}

export function parameterCount(m: ModelSpec): ParameterCount {
  const q = m.attentionHeads * m.headDim;
  const kv = m.kvHeads * m.headDim;
  const attention = m.hiddenSize * (q + 2 * kv) + q * m.hiddenSize + (m.qkvBias ? q + 2 * kv : 0);
  const expert = 3 * m.hiddenSize * m.intermediateSize; // gate, up and down projections
  const router = m.experts > 1 ? m.hiddenSize * m.experts : 0;
  const norms = 2 * m.hiddenSize;
  const layerTotal = attention + m.experts * expert + router + norms;
  const layerActive = attention + m.expertsPerToken * expert + router + norms;
  const embedding = m.vocabSize * m.hiddenSize;
  const head = m.tiedEmbeddings ? 0 : embedding;
  const finalNorm = m.hiddenSize;
  return {
    total: embedding + head + finalNorm + m.layers * layerTotal,
    active: embedding + head + finalNorm + m.layers * layerActive,
    layers: m.layers * layerTotal,
  };
}

/** Bytes of KV cache one token takes over the whole model (keys and values of every layer). */
export function kvBytesPerToken(m: ModelSpec): number {
  return 2 * m.layers * m.kvHeads * m.headDim * m.dtypeBytes;
}

const dense = { experts: 1, expertsPerToken: 1, qkvBias: false, tiedEmbeddings: false, dtypeBytes: 2 };

/** Presets, from each model's `config.json` on the Hugging Face hub (the `source`). */
export const MODELS: readonly ModelSpec[] = [
  {
    name: "llama-2-7b", layers: 32, hiddenSize: 4096, intermediateSize: 11008, attentionHeads: 32, kvHeads: 32, headDim: 128,
    vocabSize: 32000, ...dense, source: "meta-llama/Llama-2-7b-hf config.json",
  },
  {
    name: "llama-3-8b", layers: 32, hiddenSize: 4096, intermediateSize: 14336, attentionHeads: 32, kvHeads: 8, headDim: 128,
    vocabSize: 128256, ...dense, source: "meta-llama/Meta-Llama-3-8B config.json",
  },
  {
    name: "llama-3-70b", layers: 80, hiddenSize: 8192, intermediateSize: 28672, attentionHeads: 64, kvHeads: 8, headDim: 128,
    vocabSize: 128256, ...dense, source: "meta-llama/Meta-Llama-3-70B config.json",
  },
  {
    name: "qwen2.5-7b", layers: 28, hiddenSize: 3584, intermediateSize: 18944, attentionHeads: 28, kvHeads: 4, headDim: 128,
    vocabSize: 152064, ...dense, qkvBias: true, source: "Qwen/Qwen2.5-7B config.json",
  },
  {
    name: "mixtral-8x7b", layers: 32, hiddenSize: 4096, intermediateSize: 14336, attentionHeads: 32, kvHeads: 8, headDim: 128,
    vocabSize: 32000, ...dense, experts: 8, expertsPerToken: 2, source: "mistralai/Mixtral-8x7B-v0.1 config.json",
  },
];

export function modelPreset(name: string): ModelSpec {
  const m = MODELS.find((x) => x.name === name);
  if (!m) throw new KvsimInputError(`unknown model "${name}" (presets: ${MODELS.map((x) => x.name).join(", ")}; or a config.json path)`);
  return m;
}

const count = z.int().check(z.positive());
const DTYPE_BYTES: Record<string, number> = { float16: 2, bfloat16: 2, float32: 4 };

/**
 * The fields kvsim reads from a Hugging Face `config.json` (others are ignored). Those without a
 * default are required: a config missing one is refused, naming it.
 */
const hfConfigSchema = z.object({
  num_hidden_layers: count,
  hidden_size: count,
  intermediate_size: count,
  num_attention_heads: count,
  num_key_value_heads: z.optional(count),
  head_dim: z.optional(z.nullable(count)),
  vocab_size: count,
  num_local_experts: z.optional(count),
  num_experts_per_tok: z.optional(count),
  tie_word_embeddings: z.optional(z.boolean()),
  attention_bias: z.optional(z.boolean()),
  torch_dtype: z.optional(z.enum(Object.keys(DTYPE_BYTES) as [string, ...string[]])),
  model_type: z.optional(z.string()),
});

/** A model from a parsed Hugging Face `config.json`; `source` names it in errors (a file path). */
export function modelFromHfConfig(config: unknown, source: string, name = source): ModelSpec {
  const c = validate(hfConfigSchema, config, source);
  const kvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  if (c.num_attention_heads % kvHeads !== 0) {
    throw new KvsimInputError(`${source}: num_key_value_heads: ${kvHeads} does not divide num_attention_heads (${c.num_attention_heads})`);
  }
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (!Number.isInteger(headDim)) {
    throw new KvsimInputError(`${source}: head_dim: missing, and hidden_size (${c.hidden_size}) is not a multiple of num_attention_heads`);
  }
  const experts = c.num_local_experts ?? 1;
  const expertsPerToken = experts > 1 ? (c.num_experts_per_tok ?? 2) : 1;
  if (expertsPerToken > experts) throw new KvsimInputError(`${source}: num_experts_per_tok: ${expertsPerToken} exceeds num_local_experts (${experts})`);
  return {
    name, layers: c.num_hidden_layers, hiddenSize: c.hidden_size, intermediateSize: c.intermediate_size,
    attentionHeads: c.num_attention_heads, kvHeads, headDim, vocabSize: c.vocab_size, experts, expertsPerToken,
    // Qwen2's configs do not say it: its q, k and v projections always carry a bias.
    qkvBias: c.attention_bias ?? c.model_type === "qwen2", tiedEmbeddings: c.tie_word_embeddings ?? false,
    dtypeBytes: DTYPE_BYTES[c.torch_dtype ?? "bfloat16"]!, source,
  };
}

/** A preset by name, or a model read from a `config.json` path (anything ending in .json). */
export function resolveModel(nameOrFile: string): ModelSpec {
  if (nameOrFile.endsWith(".json")) return modelFromHfConfig(readJsonFile(nameOrFile), nameOrFile);
  return modelPreset(nameOrFile);
}
