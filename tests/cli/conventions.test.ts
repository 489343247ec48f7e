import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot, packageVersion } from "../../src/package-info.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "kvsim-conventions-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const RECORDING = "tests/fixtures/neural-paged-attention/scripted_easy.jsonl";

describe("the CLI's conventions", () => {
  it("--version prints the package's version and exits 0", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(packageVersion());
  });

  it("every integer option's help says its range, the one it is checked against", async () => {
    const episode = await runCli(["episode", "--help"]);
    expect(episode.stdout.replace(/\s+/g, " ")).toMatch(/--episodes <n> number of episodes; more than one adds mean ± std \(1 to 100,000\)/);
    const simulate = await runCli(["serving", "simulate", "--help"]);
    expect(simulate.stdout.replace(/\s+/g, " ")).toMatch(/--kv-blocks <n> .*\(1 to 2,097,152\)/);
    expect((await runCli(["episode", "--env", "kvsim/Serving-easy-v0", "--episodes", "100001"])).stderr).toMatch(/--episodes must be an integer from 1 to 100,000/);
  });

  it("a reader that closes the pipe early ends the command quietly (no EPIPE stack trace)", () => {
    const r = spawnSync("bash", ["-c", `node ${join(packageRoot(), "bin", "kvsim.js")} run --help | head -1; echo "status \${PIPESTATUS[0]}"`], { encoding: "utf8" });
    expect(r.stdout).toMatch(/^Usage: kvsim run/);
    expect(r.stdout).toMatch(/status 0/);
    expect(r.stderr).toBe("");
  });

  it("serving replay fails (exit 1) when the replay differs from the recording, and reads the file before guessing its task", async () => {
    expect((await runCli(["serving", "replay", RECORDING])).code).toBe(0);
    const lines = readFileSync(RECORDING, "utf8").split("\n");
    const k = lines.findIndex((l) => l.includes('"reward"'));
    const step = JSON.parse(lines[k]!) as { reward: number };
    lines[k] = JSON.stringify({ ...step, reward: step.reward + 1 });
    const altered = join(dir, "altered_easy.jsonl");
    writeFileSync(altered, lines.join("\n"));
    const r = await runCli(["serving", "replay", altered]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 differ from the recording/);
    for (const [file, message] of [[dir, /cannot read .*: EISDIR \(a directory, where a file was expected\)/], [join(dir, "none.jsonl"), /cannot read .*: ENOENT \(no such file\)/]] as const) {
      const bad = await runCli(["serving", "replay", file]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
    writeFileSync(join(dir, "empty.jsonl"), "");
    expect((await runCli(["serving", "replay", join(dir, "empty.jsonl")])).stderr).toMatch(/no step lines/);
  });

  it("a sweep asked for more threads than rows or cores runs on at most as many as it can use", async () => {
    const spec = join(dir, "two-rows.json");
    writeFileSync(spec, JSON.stringify({ name: "two", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["lru", "fifo"] }));
    const r = await runCli(["sweep", spec, "--threads", "1000", "--out", join(dir, "two-out"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).threads).toBe(Math.min(2, availableParallelism()));
  });

  it.each([
    ["a repeated --policy", ["run", "--scenario", "small_fp16_prefetch", "--workload", "rag_burst", "--policy", "lru", "--policy", "fifo"], /--policy given twice \("lru", then "fifo"\)/],
    ["--tick-ms 0", ["episode", "--trace", "tests/fixtures/mooncake/synthetic_trace.jsonl", "--tick-ms", "0"], /--tick-ms must be an integer from 1 to 3,600,000, got "0"/],
    ["--tick-ms without --trace", ["episode", "--env", "kvsim/Serving-easy-v0", "--tick-ms", "50"], /--tick-ms paces a --trace/],
    ["--env beside --trace", ["episode", "--env", "kvsim/Serving-easy-v0", "--trace", "tests/fixtures/mooncake/synthetic_trace.jsonl"], /--trace is played by kvsim\/Serving-trace-v0, not kvsim\/Serving-easy-v0/],
    ["--weights for a heuristic agent", ["episode", "--env", "kvsim/Serving-easy-v0", "--agent", "random", "--weights", "w.json"], /agent "random" plays no trained weights \(only dqn, qlearning do\)/],
    ["tokens train --threads 0", ["tokens", "train", "-o", join(dir, "w.json"), "--threads", "0"], /--threads must be an integer from 1 to 1,024, got "0"/],
    ["eval -b notaurl", ["eval", "--model", "m", "-b", "notaurl", "-k", "PATH", "-o", join(dir, "eval")], /--base-url: "notaurl" is not a URL/],
    ["eval --policy constructor", ["eval", "--policy", "constructor", "-o", join(dir, "eval")], /unknown policy "constructor"/],
  ])("contradictory or silently ignored options are refused: %s", async (_, args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, "eval"))).toBe(false);
  });

  it("eval against OpenAI's API without a key stops before any rollout", async () => {
    const saved = process.env["OPENAI_API_KEY"];
    delete process.env["OPENAI_API_KEY"];
    try {
      const r = await runCli(["eval", "--model", "m", "-o", join(dir, "eval")]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no API key for api\.openai\.com: set OPENAI_API_KEY, or name the variable holding it with -k VAR/);
      expect(existsSync(join(dir, "eval"))).toBe(false);
    } finally {
      if (saved !== undefined) process.env["OPENAI_API_KEY"] = saved;
    }
  });

  it("a JSON file with a byte-order mark reads as without one; a page of the wrong type is said so", async () => {
    const spec = join(dir, "bom.json");
    writeFileSync(spec, "\uFEFF" + JSON.stringify({ name: "bom", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["lru"] }));
    expect((await runCli(["sweep", spec, "--out", join(dir, "bom-out"), "--json"])).code).toBe(0);
    const trace = join(dir, "bad.jsonl");
    writeFileSync(trace, "\uFEFF" + '{"page": 1}\n{"page": true}\n');
    const r = await runCli(["trace", "info", trace]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl:2: "page" must be a string or number, got true/);
  });

  it("a sweep refuses an --out that holds another sweep's artifacts, and reruns its own", async () => {
    const spec = (name: string, policies: string[]) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify({ name, scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies }));
      return file;
    };
    const out = join(dir, "shared-out");
    const a = spec("first", ["lru"]);
    expect((await runCli(["sweep", a, "--out", out, "--json", "--no-charts"])).code).toBe(0);
    const before = readFileSync(join(out, "results.jsonl"), "utf8");
    const r = await runCli(["sweep", spec("second", ["fifo"]), "--out", out, "--json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds the artifacts of another sweep \(first, spec hash [0-9a-f]{12}…\); use another --out/);
    expect(readFileSync(join(out, "results.jsonl"), "utf8")).toBe(before);
    expect((await runCli(["sweep", a, "--out", out, "--json", "--no-charts"])).code).toBe(0);
  });

  it("kvsim serve: an out-of-range port or body limit, or a port in use, exits 2 with one line and leaves no sweep directory", async () => {
    for (const [args, message] of [
      [["--port", "99999"], /--port must be an integer from 0 to 65,535/], [["--body-limit", "0"], /--body-limit must be an integer from 1/],
      [["--host", ""], /--host: give an address/],
    ] as const) {
      const r = await runCli(["serve", ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const { port } = busy.address() as AddressInfo;
    const temp = mkdtempSync(join(dir, "serve-tmp-"));
    try {
      const r = spawnSync(process.execPath, [join(packageRoot(), "bin", "kvsim.js"), "serve", "--port", String(port)], { encoding: "utf8", env: { ...process.env, TMPDIR: temp }, timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(`kvsim: cannot listen on 127.0.0.1:${port}: the port is in use (EADDRINUSE)`);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      busy.close();
    }
  });

  it("trace generate, convert and info print a line of text, or JSON with --json; a trace written to - goes alone to stdout", async () => {
    const out = join(dir, "rb.csv");
    const text = await runCli(["trace", "generate", "--workload", "rag_burst", "--out", out]);
    expect(text.stdout.trim()).toMatch(/^wrote .*rb\.csv: 320 accesses over 96 pages \(69 touched\), page sizes scalars$/);
    const json = JSON.parse((await runCli(["trace", "generate", "--workload", "rag_burst", "--out", out, "--json"])).stdout);
    expect(json).toMatchObject({ file: out, accesses: 320, pages: 96 });
    expect(JSON.parse((await runCli(["trace", "info", out, "--json"])).stdout)).toMatchObject({ accesses: 320 });
    const piped = spawnSync(process.execPath, [join(packageRoot(), "bin", "kvsim.js"), "trace", "generate", "--workload", "rag_burst", "--out", "-", "--format", "csv"], { encoding: "utf8" });
    expect(piped.stdout.split("\n")[0]).toBe("page,scalars");
    expect(piped.stderr).toMatch(/^wrote -: 320 accesses/);
  });

  it("train, tokens generate and tokens train print JSON with --json", async () => {
    const train = await runCli(["train", "--env", "kvsim/Serving-easy-v0", "--agent", "qlearning", "--steps", "200", "--out", join(dir, "q.json"), "--json"]);
    expect(train.code, train.stderr).toBe(0);
    expect(JSON.parse(train.stdout)).toMatchObject({ agent: "qlearning", env: "kvsim/Serving-easy-v0", steps: 200, out: join(dir, "q.json"), curve: null });
    const tokens = await runCli(["tokens", "generate", "-o", join(dir, "t.kvtrace"), "--json"]);
    expect(tokens.code, tokens.stderr).toBe(0);
    expect(JSON.parse(tokens.stdout)).toMatchObject({ file: join(dir, "t.kvtrace"), layers: 1 });
    const small = join(dir, "small.kvtrace");
    expect((await runCli(["tokens", "generate", "-o", small, "--context", "384", "--future", "8", "--heads", "2", "--head-dim", "8"])).code).toBe(0);
    const trained = await runCli(["tokens", "train", "--traces", small, "--iterations", "1", "--threads", "1", "-o", join(dir, "w.json"), "--json"]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(JSON.parse(trained.stdout)).toMatchObject({ file: join(dir, "w.json"), heads: 2, threads: 1, iterations: 1, trainSeeds: null });
  });
});
