import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { KvsimInputError } from "../errors.js";
import { retentionSvg, tokenSummaryCsv } from "../report/token-charts.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import type { AllocatorOptions } from "../tokens/budgets/allocator.js";
import { parseDuoPattern } from "../tokens/budgets/duo-pattern.js";
import { readTextFile } from "../json-file.js";
import { BUDGET_ALLOCATORS, budgetAllocator } from "../tokens/budgets/registry.js";
import { STANDARD_BUDGETS, evaluateTokenTrace, summarizeTokenEval } from "../tokens/evaluate.js";
import { evaluateBudgetAllocation, type AllocationRow } from "../tokens/evaluate-budgets.js";
import { evaluateOnline, type OnlineHeadResult } from "../tokens/online.js";
import { readTokenTrace, writeTokenTrace, type FloatDtype } from "../tokens/format.js";
import { generateTokenTrace } from "../tokens/generate.js";
import { compareLearnedPolicies, writeTrainingTraces } from "../tokens/learned/compare.js";
import { trainTokenScorers, type HeadJobResult } from "../tokens/learned/train-all.js";
import { TRAINING_METHODS, type TrainingMethod, type TrainSettings } from "../tokens/learned/train-head.js";
import { PL_DEFAULTS } from "../tokens/learned/train-pl.js";
import { readLearnedWeights, writeLearnedWeights } from "../tokens/learned/weights.js";
import { tokenTraceParamsSchema } from "../tokens/params.js";
import type { TokenTrace } from "../tokens/trace.js";
import { checkTokenPolicies, TOKEN_POLICIES } from "../tokens/policies/registry.js";
import { collectKeyValue, parseIntInRange, parsePositiveNumber, parseSeed, parseShare } from "./options.js";
import { fixed, table } from "./format.js";
import { itemsProgress } from "./progress.js";
import { checkOutputDir, checkOutputFile } from "./outputs.js";

interface GenerateOptions {
  out: string;
  seed?: number;
  context?: number;
  future?: number;
  heads?: number;
  headDim?: number;
  layers?: number;
  groupSize?: number;
  ropeTheta?: number;
  param: Record<string, string>;
}

interface EvaluateOptions {
  policies?: string;
  weights?: string;
  budgets?: string;
  errorQueries: number;
  out?: string;
  json?: boolean;
  allocators?: string;
}

/** The allocators' tunables, as `withAllocatorOptions` parses them. */
interface AllocatorFlags {
  alphaSafeguard: number;
  pyramidBeta: number;
  pyramidWindow: number;
  duoSink: number;
  duoRecent: number;
  duoPattern?: string;
}

/** Adds the allocators' tunables, each with kvpress's default, to a command that spends a budget through an allocator. */
function withAllocatorOptions(command: Command): Command {
  return command
    .option("--alpha-safeguard <a>", "adakv: each head keeps at least this share of the uniform budget", parseShare("--alpha-safeguard"), 0.2)
    .option("--pyramid-beta <n>", "pyramidkv: pyramid steepness (kvpress beta)", parseIntInRange("--pyramid-beta", 1, 1_000_000), 20)
    .option("--pyramid-window <n>", "pyramidkv: observation window in the budget formula (kvpress window_size)", parseIntInRange("--pyramid-window", 0, 1 << 20), 64)
    .option("--duo-sink <n>", "duo_attention: sink tokens a streaming head keeps", parseIntInRange("--duo-sink", 0, 1 << 20), 4)
    .option("--duo-recent <n>", "duo_attention: recent tokens a streaming head keeps", parseIntInRange("--duo-recent", 0, 1 << 20), 256)
    .option("--duo-pattern <file>", "duo_attention: rank heads by DuoAttention's trained gates (its full_attention_heads.tsv: a line per layer, a gate per KV head) instead of a score on the trace");
}

/** The allocators' options; a DuoAttention pattern is read and checked here, before any work. */
function allocatorOptionsOf(flags: AllocatorFlags): AllocatorOptions {
  return {
    alphaSafeguard: flags.alphaSafeguard, pyramidBeta: flags.pyramidBeta, pyramidWindow: flags.pyramidWindow, duoSink: flags.duoSink, duoRecent: flags.duoRecent,
    ...(flags.duoPattern ? { duoPattern: parseDuoPattern(readTextFile(flags.duoPattern), flags.duoPattern), duoPatternFile: flags.duoPattern } : {}),
  };
}

/** Model-level allocation rows averaged over traces, per (allocator, policy, fraction). */
function allocationSummary(rows: readonly AllocationRow[]): (Omit<AllocationRow, "layer" | "needleSurvival" | "outputError"> & { traces: number; needleSurvival?: number })[] {
  const groups = new Map<string, AllocationRow[]>();
  for (const r of rows) {
    if (r.layer !== null) continue;
    const key = `${r.allocator}\0${r.policy}\0${r.fraction}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  return [...groups.values()].map((g) => {
    const mean = (f: (r: AllocationRow) => number) => g.reduce((s, r) => s + f(r), 0) / g.length;
    const withNeedles = g.filter((r) => r.needleSurvival !== undefined);
    return {
      allocator: g[0]!.allocator, policy: g[0]!.policy, fraction: g[0]!.fraction, traces: g.length, heads: g[0]!.heads, budget: g[0]!.budget, kept: g[0]!.kept,
      minHeadBudget: Math.min(...g.map((r) => r.minHeadBudget)), maxHeadBudget: Math.max(...g.map((r) => r.maxHeadBudget)),
      retained: mean((r) => r.retained), oracleRetained: mean((r) => r.oracleRetained), ratio: mean((r) => r.ratio),
      ...(withNeedles.length > 0 ? { needleSurvival: withNeedles.reduce((s, r) => s + r.needleSurvival!, 0) / withNeedles.length } : {}),
    };
  });
}

/** `--param name=value` for any generator parameter: numbers, or comma-separated profile lists. */
function generatorParams(opts: GenerateOptions): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const known = Object.keys(tokenTraceParamsSchema.def.shape);
  for (const [k, v] of Object.entries(opts.param)) {
    if (!known.includes(k)) throw new KvsimInputError(`--param: unknown generator parameter "${k}" (known: ${known.join(", ")})`);
    params[k] = k === "profiles" ? v.split(",") : k === "gqaReduce" ? v : Number(v);
  }
  const flags: [keyof GenerateOptions, string][] = [["seed", "seed"], ["context", "contextTokens"], ["future", "futureTokens"], ["heads", "kvHeads"], ["headDim", "headDim"], ["layers", "layers"], ["groupSize", "groupSize"], ["ropeTheta", "ropeTheta"]];
  for (const [flag, key] of flags) if (opts[flag] !== undefined) params[key] = opts[flag];
  return params;
}

/** "1,2,5-8" → [1, 2, 5, 6, 7, 8]. */
function parseSeeds(list: string, flag: string): number[] {
  return list.split(",").flatMap((part) => {
    const [a, b] = part.trim().split("-").map(Number);
    const ok = (n: number | undefined) => Number.isInteger(n) && n! >= 0;
    if (!ok(a) || (b !== undefined && (!ok(b) || b! < a!))) throw new KvsimInputError(`${flag}: expected seeds like 1,2,5-8, got "${part}"`);
    return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
  });
}

/** `--trace FILES` or `--seeds LIST` (+ `--param`), as loaders: one trace in memory at a time. */
function traceLoaders(opts: { trace?: string; seeds?: string; param: Record<string, string> }): (() => TokenTrace)[] {
  if ((opts.trace === undefined) === (opts.seeds === undefined)) throw new KvsimInputError("give --trace FILES or --seeds LIST");
  return opts.trace !== undefined
    ? opts.trace.split(",").map((f) => () => readTokenTrace(f.trim()))
    : parseSeeds(opts.seeds!, "--seeds").map((seed) => () => generateTokenTrace({ ...generatorParams({ out: "", param: opts.param }), seed }));
}

function parseMethod(value: string): TrainingMethod {
  if (!(TRAINING_METHODS as readonly string[]).includes(value)) throw new KvsimInputError(`--method: expected one of ${TRAINING_METHODS.join(", ")}, got "${value}"`);
  return value as TrainingMethod;
}

/** `tokens train`'s method-specific flags. */
interface TrainOptions {
  method: TrainingMethod;
  iterations?: number;
  hidden?: number;
  steps?: number;
  samples?: number;
  batch?: number;
  sampleTokens?: number;
  learningRate?: number;
  seed: number;
}

const PL_FLAGS = { steps: "--steps", samples: "--samples", batch: "--batch", sampleTokens: "--sample-tokens", learningRate: "--learning-rate" } as const;

/** The settings a method trains with: its defaults, the flags given, and refusal of the other method's flags. */
function trainSettings(opts: TrainOptions): TrainSettings {
  const given = <K extends keyof TrainOptions>(keys: readonly K[]) => Object.fromEntries(keys.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]]));
  if (opts.method === "es") {
    const wrong = Object.entries(PL_FLAGS).find(([k]) => opts[k as keyof TrainOptions] !== undefined);
    if (wrong) throw new KvsimInputError(`${wrong[1]} applies to --method pl-rloo, not es`);
    return { method: "es", iterations: opts.iterations ?? 80, hidden: opts.hidden ?? 0, seed: opts.seed };
  }
  if (opts.iterations !== undefined) throw new KvsimInputError("--iterations applies to --method es, not pl-rloo (use --steps)");
  if (opts.hidden === 0) throw new KvsimInputError("--hidden: pl-rloo's MLP needs at least 1 hidden unit");
  return { method: "pl-rloo", ...PL_DEFAULTS, ...given([...Object.keys(PL_FLAGS) as (keyof typeof PL_FLAGS)[], "hidden"]), seed: opts.seed };
}

function printHeadProgress(r: HeadJobResult, label = ""): void {
  const last = r.curve.at(-1);
  process.stderr.write(`${label}layer ${r.layer} head ${r.head}: ${last === undefined ? "untrained" : `training score ${last.toFixed(3)}`} (${(r.ms / 1000).toFixed(1)} s)\n`);
}

function mean(rows: readonly OnlineHeadResult[], f: (r: OnlineHeadResult) => number | undefined): number | undefined {
  const xs = rows.map(f).filter((x): x is number => x !== undefined);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

export function tokensCommand(): Command {
  const tokens = new Command("tokens").description("token-level KV eviction: synthetic attention traces, per-head policies, the oracle (simulated)");
  // The generator's schema holds each size's range; here only the integer is read.
  const int = (name: string) => parseIntInRange(name, 0, 2 ** 31 - 1);
  tokens.addCommand(new Command("generate")
    .description("generate a seeded synthetic token trace (.kvtrace, docs/formats.md)")
    .requiredOption("-o, --out <file>", "output .kvtrace file")
    .option("--seed <n>", "seed (default 1)", parseSeed("--seed"))
    .option("--context <T>", "context tokens (default 4096)", int("--context"))
    .option("--future <F>", "future queries (default 512)", int("--future"))
    .option("--heads <n>", "KV heads (default 8; profiles cycle streaming, retrieval, mixed)", int("--heads"))
    .option("--head-dim <d>", "head dimension (default 64)", int("--head-dim"))
    .option("--layers <n>", "layers (default 1)", int("--layers"))
    .option("--group-size <g>", "query heads per KV head (default 1)", int("--group-size"))
    .option("--param <name=value>", "any generator parameter (repeatable), e.g. questionHint=0", collectKeyValue, {})
    .option("--rope-theta <theta>", "store keys and queries rotated by RoPE with this base, as a model's cache holds them (default: no RoPE)", parsePositiveNumber("--rope-theta"))
    .option("--dtype <dtype>", "store keys, values and queries as f32, f16 or bf16", "f32")
    .option("--json", "print {file, layers, kvHeads, context, future, headDim, seconds}")
    .action((opts: GenerateOptions & { json?: boolean; dtype: string }) => {
      checkOutputFile(opts.out, "--out");
      if (!["f32", "f16", "bf16"].includes(opts.dtype)) throw new KvsimInputError(`--dtype: expected f32, f16 or bf16, got "${opts.dtype}"`);
      const t0 = performance.now();
      const trace = generateTokenTrace(generatorParams(opts));
      writeTokenTrace(opts.out, trace, { kvDtype: opts.dtype as FloatDtype });
      const { tokens: tk, model } = trace.header;
      const seconds = (performance.now() - t0) / 1000;
      if (opts.json) {
        console.log(JSON.stringify({ file: opts.out, layers: model.layers, kvHeads: model.kvHeads, context: tk.context, future: tk.future, headDim: model.headDim, seconds }));
      } else {
        console.log(`${opts.out}: ${model.layers} layer(s) × ${model.kvHeads} KV heads, ${tk.context} context + ${tk.future} future tokens, d = ${model.headDim} (${seconds.toFixed(1)} s)`);
      }
    }));
  tokens.addCommand(withAllocatorOptions(new Command("evaluate")
    .description("rank every head's context with each policy and score retained future attention, needles and output error at each budget")
    .option("-t, --trace <files>", "comma-separated .kvtrace files")
    .option("--seeds <list>", "instead of files: generate traces with these seeds (held-out seeds for a learned policy)")
    .option("--param <name=value>", "with --seeds: generator parameter (repeatable)", collectKeyValue, {})
    .option("-p, --policies <list>", `comma-separated (oracle, learned, ${TOKEN_POLICIES.map((p) => p.name).join(", ")}; default all, learned with --weights)`)
    .option("-w, --weights <file>", "trained weights for the learned policy (kvsim tokens train)")
    .option("-b, --budgets <list>", `budget fractions of the context (default ${STANDARD_BUDGETS.join(",")})`)
    .option("--error-queries <n>", "future queries sampled per head for the output error (0: skip)", parseIntInRange("--error-queries", 0, 65_536), 16)
    .option("-o, --out <dir>", "write heads.jsonl (one line per head and policy), summary.json, summary.csv and retention.svg")
    .option("--no-charts", "with --out: skip retention.svg")
    .option("--allocators <list>", `also spend the same total budget unevenly over heads and layers (${BUDGET_ALLOCATORS.map((a) => a.name).join(", ")}); reported per layer and for the model`))
    .option("--json", "print the summary as JSON (with --allocators: {summary, allocation})")
    .action(async (opts: EvaluateOptions & AllocatorFlags & { trace?: string; seeds?: string; param: Record<string, string>; charts?: boolean }) => {
      if (opts.out) checkOutputDir(opts.out, "--out");
      const budgets = opts.budgets?.split(",").map((b) => {
        const x = Number(b);
        if (!(x > 0 && x < 1)) throw new KvsimInputError(`--budgets: each must be a fraction in (0, 1), got "${b}"`);
        return x;
      });
      const all = ["oracle", ...(opts.weights ? ["learned"] : []), ...TOKEN_POLICIES.map((p) => p.name)];
      const policies = opts.policies ? opts.policies.split(",").map((p) => p.trim()).filter(Boolean) : all;
      const weights = opts.weights ? readLearnedWeights(opts.weights) : undefined;
      checkTokenPolicies(policies, weights);
      const allocators = opts.allocators?.split(",").map((a) => a.trim()).filter(Boolean) ?? [];
      allocators.forEach(budgetAllocator);
      const allocatorOptions = allocatorOptionsOf(opts);
      const traces = traceLoaders(opts);
      // One trace in memory at a time: each is evaluated, then dropped.
      const progress = opts.json ? undefined : itemsProgress("tokens evaluate", traces.length, "trace");
      const allocation: (AllocationRow & { trace: number })[] = [];
      const heads = traces.flatMap((load, i) => {
        const trace = load();
        const out = evaluateTokenTrace(trace, { policies, budgets, errorQueries: opts.errorQueries, weights, onHead: (done, total) => progress?.update(i, done / total) });
        if (allocators.length > 0) {
          for (const r of evaluateBudgetAllocation(trace, { policies, allocators, budgets, errorQueries: opts.errorQueries, weights, allocatorOptions })) allocation.push({ trace: i, ...r });
        }
        return out;
      });
      progress?.stop();
      const summary = summarizeTokenEval(heads);
      const allocated = allocationSummary(allocation);
      if (opts.out) {
        writeFileAtomic(join(opts.out, "heads.jsonl"), heads.map((h) => JSON.stringify(h)).join("\n") + "\n");
        writeFileAtomic(join(opts.out, "summary.json"), JSON.stringify({ traces: opts.trace ?? null, seeds: opts.seeds ?? null, summary }, null, 2) + "\n");
        writeFileAtomic(join(opts.out, "summary.csv"), tokenSummaryCsv(summary));
        if (opts.charts !== false) writeFileAtomic(join(opts.out, "retention.svg"), await retentionSvg(summary));
        if (allocators.length > 0) writeFileAtomic(join(opts.out, "allocation.jsonl"), allocation.map((r) => JSON.stringify(r)).join("\n") + "\n");
      }
      if (opts.json) return console.log(JSON.stringify(allocators.length > 0 ? { summary, allocation: allocated } : summary));
      const fractions = summary[0]?.budgets.map((b) => b.fraction) ?? [];
      console.log(table(
        ["policy", "profile", "heads", "all-budget", ...fractions.map((f) => `ratio@${f * 100}%`), ...fractions.map((f) => `needles@${f * 100}%`)],
        summary.map((r) => [r.policy, r.profile, r.heads, fixed(3)(r.allBudgetScore), ...r.budgets.map((b) => fixed(3)(b.ratio)),
          ...r.budgets.map((b) => (b.needleSurvival === undefined ? "-" : fixed(2)(b.needleSurvival)))]),
      ));
      if (allocators.length === 0) return;
      console.log("\nbudgets spread over heads and layers (model level; oracle = the best split of the same total; simulated)");
      console.log(table(["allocator", "policy", "budget", "kept", "head budgets", "retained", "oracle", "ratio", "needles"],
        allocated.map((r) => [r.allocator, r.policy, `${r.fraction * 100}%`, r.kept, `${r.minHeadBudget}-${r.maxHeadBudget}`, fixed(3)(r.retained), fixed(3)(r.oracleRetained), fixed(3)(r.ratio),
          r.needleSurvival === undefined ? "-" : fixed(2)(r.needleSurvival)])));
    }));
  tokens.addCommand(withAllocatorOptions(new Command("online")
    .description("online decode mode: prefill to a fixed budget, then append each future token and evict by the policy")
    .option("-t, --trace <files>", "comma-separated .kvtrace files")
    .option("--seeds <list>", "instead of files: generate traces with these seeds")
    .option("--param <name=value>", "with --seeds: generator parameter (repeatable)", collectKeyValue, {})
    .option("-b, --budget <fraction>", "cache budget as a fraction of the context", "0.1")
    .option("--allocator <name>", `spread the same total over heads and layers (${BUDGET_ALLOCATORS.map((a) => a.name).join(", ")})`, "uniform")
    .option("-p, --policies <list>", "comma-separated (default: oracle, learned with --weights, and every policy)")
    .option("-w, --weights <file>", "trained weights for the learned policy")
    .option("-o, --out <dir>", "write online.jsonl (one line per head and policy)"))
    .option("--json", "print the per-policy, per-profile means as JSON")
    .action((opts: AllocatorFlags & { trace?: string; seeds?: string; param: Record<string, string>; budget: string; allocator: string; policies?: string; weights?: string; out?: string; json?: boolean }) => {
      if (opts.out) checkOutputDir(opts.out, "--out");
      const budget = Number(opts.budget);
      if (!(budget > 0 && budget < 1)) throw new KvsimInputError(`--budget: expected a fraction in (0, 1), got "${opts.budget}"`);
      const weights = opts.weights ? readLearnedWeights(opts.weights) : undefined;
      const policies = opts.policies ? opts.policies.split(",").map((p) => p.trim()).filter(Boolean)
        : ["oracle", ...(weights ? ["learned"] : []), ...TOKEN_POLICIES.map((p) => p.name)];
      checkTokenPolicies(policies, weights);
      budgetAllocator(opts.allocator);
      const allocatorOptions = allocatorOptionsOf(opts);
      const loaders = traceLoaders(opts);
      const progress = opts.json ? undefined : itemsProgress("tokens online", loaders.length, "trace");
      const results = loaders.flatMap((load, i) => evaluateOnline(load(), {
        policies, budget, weights, allocator: opts.allocator, allocatorOptions, onHead: (done, total) => progress?.update(i, done / total),
      }));
      progress?.stop();
      if (opts.out) writeFileAtomic(join(opts.out, "online.jsonl"), results.map((r) => JSON.stringify(r)).join("\n") + "\n");
      const profiles = [...new Set(results.map((r) => r.profile ?? "all"))];
      const summary = policies.flatMap((policy) => profiles.map((profile) => {
        const rows = results.filter((r) => r.policy === policy && (r.profile ?? "all") === profile);
        return {
          policy, allocator: opts.allocator, profile, heads: rows.length, meanHeadBudget: mean(rows, (r) => r.budget)!,
          retained: mean(rows, (r) => r.retained)!, outputError: mean(rows, (r) => r.outputError)!, needleHits: mean(rows, (r) => r.needleHits),
        };
      }));
      if (opts.json) return console.log(JSON.stringify(summary));
      console.log(`budgets spread by ${opts.allocator} (simulated)`);
      console.log(table(["policy", "profile", "heads", "head budget", "retained", "output error", "needle hits"],
        summary.map((r) => [r.policy, r.profile, r.heads, fixed(1)(r.meanHeadBudget), fixed(3)(r.retained), fixed(3)(r.outputError), r.needleHits === undefined ? "-" : fixed(2)(r.needleHits)])));
    }));
  tokens.addCommand(new Command("train")
    .description("train the learned per-head policy on the all-budget ranking reward, one head per worker: --method es (KVP-lite: linear scorer, evolution strategies) or pl-rloo (KV Policy's MLP, Plackett–Luce policy gradient with an RLOO baseline)")
    .requiredOption("-o, --out <file>", "weights JSON")
    .option("--method <name>", `training method: ${TRAINING_METHODS.join(" or ")} (docs/tokens.md)`, parseMethod, "es")
    .option("--traces <files>", "comma-separated training .kvtrace files (else generated from --train-seeds)")
    .option("--train-seeds <list>", "seeds of the generated training traces (never evaluate on these)", "101,102,103,104")
    .option("--param <name=value>", "generator parameter for generated training traces (repeatable)", collectKeyValue, {})
    .option("--iterations <n>", "es: iterations per head (default 80)", parseIntInRange("--iterations", 1, 100_000))
    .option("--hidden <n>", `hidden units (es: 0 = linear scorer, the default; pl-rloo: units of each MLP layer, default ${PL_DEFAULTS.hidden})`, parseIntInRange("--hidden", 0, 1_024))
    .option("--steps <n>", `pl-rloo: policy-gradient steps per head (default ${PL_DEFAULTS.steps})`, parseIntInRange("--steps", 0, 1_000_000))
    .option("--samples <n>", `pl-rloo: rankings sampled per training sample, the RLOO group K (default ${PL_DEFAULTS.samples})`, parseIntInRange("--samples", 2, 4_096))
    .option("--batch <n>", `pl-rloo: training samples per step (default ${PL_DEFAULTS.batch})`, parseIntInRange("--batch", 1, 4_096))
    .option("--sample-tokens <n>", `pl-rloo: context tokens drawn per training sample (default ${PL_DEFAULTS.sampleTokens})`, parseIntInRange("--sample-tokens", 2, 1_048_576))
    .option("--learning-rate <x>", `pl-rloo: AdamW peak rate (default ${PL_DEFAULTS.learningRate})`, parsePositiveNumber("--learning-rate"))
    .option("--seed <n>", "training seed", parseSeed("--seed"), 1)
    .option("--threads <n>", "worker threads (heads train in parallel)", parseIntInRange("--threads", 1, 1_024), 2)
    .option("--json", "print {file, heads, seconds, threads, method, the method's settings (es: iterations, hidden, seed), trainSeeds}; progress still goes to stderr")
    .action(async (opts: TrainOptions & { out: string; traces?: string; trainSeeds: string; param: Record<string, string>; threads: number; json?: boolean }) => {
      checkOutputFile(opts.out, "--out");
      const settings = trainSettings(opts);
      let files = opts.traces?.split(",").map((f) => f.trim()).filter(Boolean);
      let tmp: string | undefined;
      if (!files) {
        tmp = mkdtempSync(join(tmpdir(), "kvsim-train-"));
        files = writeTrainingTraces(tmp, parseSeeds(opts.trainSeeds, "--train-seeds"), generatorParams({ out: "", param: opts.param }));
      }
      try {
        const weights = await trainTokenScorers(files, settings, Math.max(1, opts.threads), (r) => printHeadProgress(r));
        weights.training["trainSeeds"] = opts.traces ? null : opts.trainSeeds;
        writeLearnedWeights(opts.out, weights);
        const seconds = weights.training["wallSeconds"] as number;
        if (opts.json) {
          console.log(JSON.stringify({ file: opts.out, heads: weights.heads.length, seconds, threads: opts.threads, ...settings, trainSeeds: opts.traces ? null : opts.trainSeeds }));
        } else {
          console.log(`${opts.out}: ${weights.heads.length} head scorers (${opts.method}), ${seconds.toFixed(1)} s on ${opts.threads} thread(s)`);
        }
      } finally {
        if (tmp) rmSync(tmp, { recursive: true, force: true });
      }
    }));
  tokens.addCommand(new Command("compare-learned")
    .description("train both learned methods (es, pl-rloo) and report them against the oracle and every registered policy on held-out seeds, with training cost (the table in docs/tokens.md)")
    .option("--train-seeds <list>", "seeds of the training traces", "101-104")
    .option("--eval-seeds <list>", "seeds of the evaluation traces (disjoint from the training seeds)", "1-8")
    .option("--param <name=value>", "generator parameter for every trace (repeatable)", collectKeyValue, {})
    .option("--es-iterations <n>", "es iterations per head", parseIntInRange("--es-iterations", 1, 100_000), 80)
    .option("--pl-steps <n>", "pl-rloo steps per head", parseIntInRange("--pl-steps", 1, 1_000_000), PL_DEFAULTS.steps)
    .option("--seed <n>", "training seed of both methods", parseSeed("--seed"), 1)
    .option("--threads <n>", "worker threads (heads train in parallel)", parseIntInRange("--threads", 1, 1_024), 2)
    .option("-o, --out <dir>", "write es.json and pl-rloo.json (the weights), heads.jsonl and comparison.json")
    .option("--json", "print comparison.json instead of the table")
    .action(async (opts: { trainSeeds: string; evalSeeds: string; param: Record<string, string>; esIterations: number; plSteps: number; seed: number; threads: number; out?: string; json?: boolean }) => {
      if (opts.out) checkOutputDir(opts.out, "--out");
      const workDir = mkdtempSync(join(tmpdir(), "kvsim-compare-"));
      try {
        const result = await compareLearnedPolicies({
          trainSeeds: parseSeeds(opts.trainSeeds, "--train-seeds"), evalSeeds: parseSeeds(opts.evalSeeds, "--eval-seeds"),
          generator: generatorParams({ out: "", param: opts.param }), threads: opts.threads, workDir,
          methods: [
            { label: "kvp-lite (es)", settings: { method: "es", iterations: opts.esIterations, seed: opts.seed } },
            { label: "kvp (pl-rloo)", settings: { method: "pl-rloo", ...PL_DEFAULTS, steps: opts.plSteps, seed: opts.seed } },
          ],
          baselines: TOKEN_POLICIES.map((p) => p.name),
          onHead: (label, r) => printHeadProgress(r, `${label} `),
          onTrace: (seed) => process.stderr.write(`evaluated seed ${seed}\n`),
        });
        const record = {
          simulated: true, trainSeeds: result.trainSeeds, evalSeeds: result.evalSeeds, threads: opts.threads,
          training: result.trained.map((m) => ({ label: m.label, settings: m.weights.training["settings"], wallSeconds: m.wallSeconds, rankings: m.rankings, tokenForwards: m.tokenForwards })),
          summary: result.summary, paired: result.paired,
        };
        if (opts.out) {
          for (const m of result.trained) writeLearnedWeights(join(opts.out, `${m.weights.training["method"] as string}.json`), m.weights);
          writeFileAtomic(join(opts.out, "heads.jsonl"), result.heads.map((h) => JSON.stringify(h)).join("\n") + "\n");
          writeFileAtomic(join(opts.out, "comparison.json"), JSON.stringify(record, null, 2) + "\n");
        }
        if (opts.json) return console.log(JSON.stringify(record));
        const fractions = result.summary[0]?.budgets.map((b) => b.fraction) ?? [];
        const cost = new Map(result.trained.map((m) => [m.label, m]));
        console.log(`Simulated. Trained on seeds ${opts.trainSeeds}, evaluated on seeds ${opts.evalSeeds} (disjoint); ${opts.threads} worker thread(s).`);
        console.log(table(
          ["policy", "profile", "heads", "all-budget", ...fractions.map((f) => `ratio@${f * 100}%`), ...fractions.map((f) => `needles@${f * 100}%`), "train s", "rankings", "token passes"],
          result.summary.map((r) => {
            const m = r.profile === "all" ? cost.get(r.policy) : undefined;
            return [r.policy, r.profile, r.heads, fixed(3)(r.allBudgetScore), ...r.budgets.map((b) => fixed(3)(b.ratio)),
              ...r.budgets.map((b) => (b.needleSurvival === undefined ? "-" : fixed(2)(b.needleSurvival))),
              m ? fixed(0)(m.wallSeconds) : "", m ? m.rankings.toLocaleString("en-US") : "", m ? m.tokenForwards.toLocaleString("en-US") : ""];
          }),
        ));
        const p = result.paired;
        if (p) {
          console.log(`${p.b} − ${p.a}, all-budget score head by head: ${p.mean >= 0 ? "+" : ""}${p.mean.toFixed(4)} ± ${p.standardError.toFixed(4)} (standard error), better on ${p.better} of ${p.heads} heads.`);
        }
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    }));
  return tokens;
}
