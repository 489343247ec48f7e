import { join } from "node:path";
import { Command } from "commander";
import { KvsimInputError } from "../errors.js";
import { writeFileAtomic } from "../report/write-atomic.js";
import { STANDARD_BUDGETS, evaluateTokenTrace, summarizeTokenEval } from "../tokens/evaluate.js";
import { readTokenTrace, writeTokenTrace } from "../tokens/format.js";
import { generateTokenTrace } from "../tokens/generate.js";
import { tokenTraceParamsSchema } from "../tokens/params.js";
import { TOKEN_POLICIES } from "../tokens/policies/registry.js";
import { collectKeyValue, parseNonNegativeInt } from "./options.js";
import { fixed, table } from "./format.js";

interface GenerateOptions {
  out: string;
  seed?: number;
  context?: number;
  future?: number;
  heads?: number;
  headDim?: number;
  layers?: number;
  groupSize?: number;
  param: Record<string, string>;
}

interface EvaluateOptions {
  policies: string;
  budgets?: string;
  errorQueries: number;
  out?: string;
  json?: boolean;
}

/** `--param name=value` for any generator parameter: numbers, or comma-separated profile lists. */
function generatorParams(opts: GenerateOptions): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const known = Object.keys(tokenTraceParamsSchema.def.shape);
  for (const [k, v] of Object.entries(opts.param)) {
    if (!known.includes(k)) throw new KvsimInputError(`--param: unknown generator parameter "${k}" (known: ${known.join(", ")})`);
    params[k] = k === "profiles" ? v.split(",") : k === "gqaReduce" ? v : Number(v);
  }
  const flags: [keyof GenerateOptions, string][] = [["seed", "seed"], ["context", "contextTokens"], ["future", "futureTokens"], ["heads", "kvHeads"], ["headDim", "headDim"], ["layers", "layers"], ["groupSize", "groupSize"]];
  for (const [flag, key] of flags) if (opts[flag] !== undefined) params[key] = opts[flag];
  return params;
}

export function tokensCommand(): Command {
  const tokens = new Command("tokens").description("token-level KV eviction: synthetic attention traces, per-head policies, the oracle (simulated)");
  const int = (name: string) => parseNonNegativeInt(name);
  tokens.addCommand(new Command("generate")
    .description("generate a seeded synthetic token trace (.kvtrace, docs/formats.md)")
    .requiredOption("-o, --out <file>", "output .kvtrace file")
    .option("--seed <n>", "seed (default 1)", int("--seed"))
    .option("--context <T>", "context tokens (default 4096)", int("--context"))
    .option("--future <F>", "future queries (default 512)", int("--future"))
    .option("--heads <n>", "KV heads (default 8; profiles cycle streaming, retrieval, mixed)", int("--heads"))
    .option("--head-dim <d>", "head dimension (default 64)", int("--head-dim"))
    .option("--layers <n>", "layers (default 1)", int("--layers"))
    .option("--group-size <g>", "query heads per KV head (default 1)", int("--group-size"))
    .option("--param <name=value>", "any generator parameter (repeatable), e.g. questionHint=0", collectKeyValue, {})
    .action((opts: GenerateOptions) => {
      const t0 = performance.now();
      const trace = generateTokenTrace(generatorParams(opts));
      writeTokenTrace(opts.out, trace);
      const { tokens: tk, model } = trace.header;
      console.log(`${opts.out}: ${model.layers} layer(s) × ${model.kvHeads} KV heads, ${tk.context} context + ${tk.future} future tokens, d = ${model.headDim} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }));
  tokens.addCommand(new Command("evaluate")
    .description("rank every head's context with each policy and score retained future attention, needles and output error at each budget")
    .requiredOption("-t, --trace <file>", ".kvtrace file")
    .option("-p, --policies <list>", `comma-separated (oracle, ${TOKEN_POLICIES.map((p) => p.name).join(", ")})`, ["oracle", ...TOKEN_POLICIES.map((p) => p.name)].join(","))
    .option("-b, --budgets <list>", `budget fractions of the context (default ${STANDARD_BUDGETS.join(",")})`)
    .option("--error-queries <n>", "future queries sampled per head for the output error (0: skip)", int("--error-queries"), 16)
    .option("-o, --out <dir>", "write heads.jsonl (one line per head and policy) and summary.json")
    .option("--json", "print the summary as JSON")
    .action((opts: EvaluateOptions & { trace: string }) => {
      const budgets = opts.budgets?.split(",").map((b) => {
        const x = Number(b);
        if (!(x > 0 && x < 1)) throw new KvsimInputError(`--budgets: each must be a fraction in (0, 1), got "${b}"`);
        return x;
      });
      const policies = opts.policies.split(",").map((p) => p.trim()).filter(Boolean);
      const trace = readTokenTrace(opts.trace);
      const heads = evaluateTokenTrace(trace, { policies, budgets, errorQueries: opts.errorQueries });
      const summary = summarizeTokenEval(heads);
      if (opts.out) {
        writeFileAtomic(join(opts.out, "heads.jsonl"), heads.map((h) => JSON.stringify(h)).join("\n") + "\n");
        writeFileAtomic(join(opts.out, "summary.json"), JSON.stringify({ trace: opts.trace, summary }, null, 2) + "\n");
      }
      if (opts.json) return console.log(JSON.stringify(summary));
      const fractions = summary[0]?.budgets.map((b) => b.fraction) ?? [];
      console.log(table(
        ["policy", "profile", "heads", "all-budget", ...fractions.map((f) => `ratio@${f * 100}%`), ...fractions.map((f) => `needles@${f * 100}%`)],
        summary.map((r) => [r.policy, r.profile, r.heads, fixed(3)(r.allBudgetScore), ...r.budgets.map((b) => fixed(3)(b.ratio)),
          ...r.budgets.map((b) => (b.needleSurvival === undefined ? "-" : fixed(2)(b.needleSurvival)))]),
      ));
    }));
  return tokens;
}
