import { Command } from "commander";
import { AGENTIC_POLICIES } from "../envs/agentic/policies/registry.js";
import { envIds } from "../envs/registry.js";
import { KvsimInputError } from "../errors.js";
import { resolveEnvArgs } from "../eval/env-args.js";
import { METRIC_ORDER } from "../envs/agentic/rubric.js";
import type { Player } from "../eval/run-eval.js";
import { loadCompiled } from "../util/load-compiled.js";
import { ExitStatus } from "./exit-status.js";
import { fixed, table } from "./format.js";
import { parseIntInRange } from "./options.js";
import { checkOutputDir } from "./outputs.js";

interface EvalCliOptions {
  env: string;
  model?: string;
  policy?: string;
  baseUrl: string;
  apiKeyEnv?: string;
  numExamples: number;
  rolloutsPerExample: number;
  maxConcurrent: number;
  envArgs?: string;
  temperature?: number;
  maxTokens?: number;
  timeout: number;
  maxRetries: number;
  out: string;
  json?: boolean;
}

function parseNumber(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) throw new KvsimInputError(`${name} must be a number, got "${value}"`);
    return n;
  };
}

/**
 * The API key, checked before any rollout: from `-k VAR`, else OPENAI_API_KEY; a server other than
 * OpenAI's (vLLM, a local proxy) may take none ("EMPTY", as vLLM's clients send).
 */
function apiKey(variable: string | undefined, baseUrl: URL): string {
  if (variable !== undefined) {
    const value = process.env[variable];
    if (!value) throw new KvsimInputError(`--api-key-env: environment variable ${variable} is not set`);
    return value;
  }
  const key = process.env["OPENAI_API_KEY"];
  if (!key && baseUrl.hostname === "api.openai.com") {
    throw new KvsimInputError("no API key for api.openai.com: set OPENAI_API_KEY, or name the variable holding it with -k VAR");
  }
  return key || "EMPTY";
}

/** The API base URL, an http(s) URL, checked before any rollout. */
function baseUrlOf(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KvsimInputError(`--base-url: "${text}" is not a URL (e.g. http://localhost:8000/v1)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new KvsimInputError(`--base-url: "${text}" is not an http(s) URL`);
  return url;
}

export function evalCommand(): Command {
  return new Command("eval")
    .description("evaluate a chat model (any OpenAI-compatible API) or a built-in policy on the agentic tool-calling env (simulated)")
    .option("--env <id>", `environment (${envIds("tool-calling").join(", ")})`, "kvsim/Agentic-v0")
    .option("-m, --model <name>", "chat model to evaluate")
    .option("--policy <name>", `built-in policy instead of a model (${Object.keys(AGENTIC_POLICIES).join(", ")})`)
    .option("-b, --base-url <url>", "OpenAI-compatible API base URL", "https://api.openai.com/v1")
    .option("-k, --api-key-env <var>", "environment variable holding the API key (default OPENAI_API_KEY if set)")
    .option("-n, --num-examples <n>", "scenarios to evaluate, or -1: all of the dataset", (v) => (v === "-1" ? -1 : parseIntInRange("-n", 1, 1_000_000)(v)), 5)
    .option("-r, --rollouts-per-example <n>", "rollouts per scenario", parseIntInRange("-r", 1, 10_000), 1)
    .option("-c, --max-concurrent <n>", "rollouts in flight at once", parseIntInRange("--max-concurrent", 1, 1_024), 1)
    .option("-a, --env-args <json>", "load_environment arguments, e.g. '{\"difficulty\":\"hard\",\"seed\":7}'")
    .option("--temperature <t>", "sampling temperature", parseNumber("--temperature"))
    .option("--max-tokens <n>", "most tokens per reply", parseIntInRange("--max-tokens", 1, 10_000_000))
    .option("--timeout <s>", "seconds per API request", parseNumber("--timeout"), 120)
    .option("--max-retries <n>", "retries of a failed API request (429, 5xx, connection errors)", parseIntInRange("--max-retries", 0, 100), 3)
    .requiredOption("-o, --out <dir>", "output directory (results.jsonl, metadata.json)")
    .option("--json", "print the summary as JSON")
    .action(async (opts: EvalCliOptions) => {
      checkOutputDir(opts.out, "--out");
      if ((opts.model === undefined) === (opts.policy === undefined)) throw new KvsimInputError("give exactly one of --model NAME or --policy NAME");
      if (opts.policy !== undefined && !Object.hasOwn(AGENTIC_POLICIES, opts.policy)) {
        throw new KvsimInputError(`--policy: unknown policy "${opts.policy}" (known: ${Object.keys(AGENTIC_POLICIES).join(", ")})`);
      }
      if (!(opts.timeout > 0)) throw new KvsimInputError("--timeout must be positive");
      const envArgs = resolveEnvArgs(opts.env, opts.envArgs);
      const player: Player = opts.model !== undefined
        ? {
          kind: "llm", baseURL: opts.baseUrl, apiKey: apiKey(opts.apiKeyEnv, baseUrlOf(opts.baseUrl)), apiKeyEnv: opts.apiKeyEnv, timeoutMs: opts.timeout * 1000, maxRetries: opts.maxRetries,
          settings: { model: opts.model, temperature: opts.temperature, maxTokens: opts.maxTokens },
        }
        : { kind: "policy", name: opts.policy! };
      const n = opts.numExamples === -1 ? envArgs.numExamples ?? -1 : opts.numExamples;
      // The OpenAI client loads only for evaluations.
      const { runEval } = await loadCompiled<typeof import("../eval/run-eval.js")>("eval/run-eval.js");
      const summary = await runEval({
        envId: opts.env, envArgs, player, numExamples: n, rolloutsPerExample: opts.rolloutsPerExample, maxConcurrent: opts.maxConcurrent, outDir: opts.out,
        onRollout: player.kind === "llm" && !opts.json ? (done, total) => process.stderr.write(`rollout ${done}/${total}\n`) : undefined,
      });
      if (opts.json) {
        console.log(JSON.stringify(summary));
      } else {
        const who = player.kind === "llm" ? `model ${player.settings.model}` : `policy ${player.name}`;
        console.log(`${opts.env} (${envArgs.difficulty}), ${who}: ${summary.rollouts} rollouts, ${summary.errors} errors -> ${opts.out}`);
        // Mean ± sample std over the scored rollouts, so a difference can be read against its spread.
        const spread = (mean: number, std: number | null, digits: number) => `${fixed(digits)(mean)} ± ${std === null ? "–" : fixed(digits)(std)}`;
        console.log(table([`metric (n = ${summary.scored}, simulated)`, "mean ± std"], [
          ["reward", spread(summary.reward, summary.std.reward ?? null, 4)],
          ...METRIC_ORDER.map((m) => [m, spread(summary.metrics[m]!, summary.std[m] ?? null, 3)]),
        ]));
        // verifiers' eval prints pass@k and pass^k this way when there are several rollouts per example.
        const byK = (values: Record<string, number>) => Object.entries(values).map(([k, v]) => `${k}=${fixed(3)(v)}`).join(", ");
        if (Object.keys(summary.pass_at_k).length > 0) console.log(`pass@k: ${byK(summary.pass_at_k)}\npass^k: ${byK(summary.pass_all_k)}`);
        if (summary.usage) console.log(`tokens per rollout (mean): input ${fixed(1)(summary.usage.input_tokens)}, output ${fixed(1)(summary.usage.output_tokens)}`);
      }
      if (summary.errors > 0) {
        console.error(`kvsim: ${summary.errors} rollout(s) ended on an API error; see "error" in results.jsonl`);
        throw new ExitStatus(1);
      }
    });
}
