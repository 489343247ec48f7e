import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const CP = "tests/fixtures/libcachesim/cloudPhysicsIO.oracleGeneral.bin";
const RAG = "tests/fixtures/traces/rag-burst.csv";
const dir = mkdtempSync(join(tmpdir(), "kvsim-mrc-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const A_FILE = join(dir, "a-file");
writeFileSync(A_FILE, "");

const base = ["mrc", "--trace", CP, "--ignore-obj-size", "--policy", "lru,fifo", "--sizes", "1%,5%"];
/** The arguments with `flag`'s value replaced (or the flag and value added). */
const withFlag = (flag: string, value?: string): string[] => {
  const at = base.indexOf(flag);
  if (at < 0) return [...base, flag, ...(value === undefined ? [] : [value])];
  return [...base.slice(0, at + 1), ...(value === undefined ? [] : [value]), ...base.slice(at + 2)];
};

describe("kvsim mrc's inputs", () => {
  it.each([
    ["an unknown policy", withFlag("--policy", "lru,lur"), /--policy: unknown policy "lur"/],
    ["a policy twice", withFlag("--policy", "lru,fifo,lru"), /--policy: "lru" given twice/],
    ["a size of 0", withFlag("--sizes", "0,5%"), /--sizes: "0" is neither a positive integer nor a percentage/],
    ["a size of 0%", withFlag("--sizes", "0%"), /--sizes: "0%" must be a percentage in \(0%, 100%\]/],
    ["a size over 100%", withFlag("--sizes", "101%"), /--sizes: "101%" must be a percentage in \(0%, 100%\]/],
    ["a size that is no number", withFlag("--sizes", "1%,big"), /--sizes: "big" is neither/],
    ["a percentage that rounds down to nothing", withFlag("--sizes", "0.001%"), /--sizes: 0\.001% of 48,974 objects is 0; a cache needs at least 1/],
    ["a byte size below the largest object", ["mrc", "--trace", CP, "--policy", "lru", "--sizes", "4096"], /--sizes: 4,096 bytes, smaller than the largest page \(69,632 bytes\)/],
    ["an unknown trace format", withFlag("--trace-format", "nope"), /--trace-format.*nope.*Allowed choices/],
    ["a trace that is not there", ["mrc", "--trace", join(dir, "none.bin"), "--trace-format", "oracle-general", "--policy", "lru", "--sizes", "5%"], /--trace: cannot read .*none\.bin/],
    ["an unknown profile", withFlag("--profile", "nope"), /--profile.*nope/],
    ["a sample rate of 0", withFlag("--sample-rate", "0"), /--sample-rate must be in \(0, 1\]/],
    ["a sample rate without lru", [...withFlag("--policy", "fifo"), "--sample-rate", "0.1"], /--sample-rate samples the one-pass LRU curve: add lru to --policy/],
    ["a sample rate with exact replays", [...withFlag("--sample-rate", "0.1"), "--exact-replays"], /--sample-rate samples the one-pass LRU curve: drop --exact-replays/],
    ["--threads 0", withFlag("--threads", "0"), /--threads must be an integer from 1 to 1,024/],
    ["--out that is a file", withFlag("--out", A_FILE), /--out .*a-file: not a directory/],
  ])("%s exits 2 naming the flag", async (_, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split("\n").filter((l) => l.trim()).length).toBeLessThanOrEqual(2);
  });

  it("--out writes mrc.csv and mrc.svg; a run that fails writes nothing", async () => {
    const out = join(dir, "out");
    const r = await runCli([...withFlag("--out", out), "--sample-rate", "0.5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["mrc.csv", "mrc.svg"]);
    const csv = readFileSync(join(out, "mrc.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("policy,size,misses,miss_ratio");
    expect(csv.slice(1).map((l) => l.split(",").slice(0, 2).join(","))).toEqual(["lru,489", "lru,2448", "fifo,489", "fifo,2448"]);
    const svg = readFileSync(join(out, "mrc.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg).toMatch(/Miss-ratio curves of cloudPhysicsIO\.oracleGeneral\.bin \(simulated\)/);
    expect(svg).toMatch(/SHARDS-sampled at R = 0\.5/);

    const failed = join(dir, "failed");
    expect((await runCli([...withFlag("--out", failed), "--sizes", "0.001%"])).code).toBe(2);
    expect((await runCli(["mrc", "--trace", RAG, "--policy", "lru,nope", "--sizes", "5%", "--out", failed])).code).toBe(2);
    expect(existsSync(failed)).toBe(false);
  });

  it("reads a libCacheSim CSV trace by its columns (--trace-params)", async () => {
    const csv = join(dir, "ids.csv");
    writeFileSync(csv, ["1,a,10", "2,b,10", "3,a,10", "4,c,10", "5,b,10", "6,a,10"].join("\n") + "\n");
    const r = await runCli(["mrc", "--trace", csv, "--trace-params", "obj-id-col=2, obj-size-col=3, has-header=false", "--ignore-obj-size",
      "--policy", "lru,fifo", "--sizes", "1,2,3", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { requests: number; objects: number; curves: { points: { misses: number }[] }[] };
    expect(printed).toMatchObject({ requests: 6, objects: 3 });
    expect(printed.curves.map((c) => c.points.map((p) => p.misses))).toEqual([[6, 5, 3], [6, 4, 3]]);
  });

  it("prints a table of simulated miss ratios and says how each curve was made, a sampled one as sampled", async () => {
    const r = await runCli([...withFlag("--policy", "lru,s3fifo"), "--sample-rate", "0.1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/113,872 requests, 48,974 objects — simulated miss ratios/);
    expect(r.stdout).toMatch(/size \(objects\)\s+% of objects\s+lru\s+s3fifo/);
    expect(r.stdout).toMatch(/\n\s+489\s+1\.00%\s+0\.\d{4}\s+0\.\d{4}\n/);
    expect(r.stdout).toMatch(/lru: SAMPLED by SHARDS at R = 0\.1 \(Waldspurger et al\., FAST'15\), an estimate, not exact/);
    expect(r.stdout).toMatch(/s3fifo: one replay per size/);
    const bytes = await runCli(["mrc", "--trace", CP, "--policy", "lru", "--sizes", "1%"]);
    expect(bytes.stdout).toMatch(/48,974 objects, 2,029,769,728 bytes/);
    expect(bytes.stdout).toMatch(/lru: one pass over byte stack distances; with sizes LRU is not a stack algorithm/);
  });
});
