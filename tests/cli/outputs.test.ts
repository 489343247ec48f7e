import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "kvsim-outputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "a-file");
writeFileSync(file, "x");
const folder = join(dir, "a-folder");
mkdirSync(folder);
const spec = join(dir, "spec.json");
writeFileSync(spec, JSON.stringify({ name: "s", scenarios: ["small_fp16_prefetch"], workloads: ["rag_burst"], policies: ["lru"] }));
const gen = ["trace", "generate", "--workload", "zipf", "--workload-param", "pages=100", "--workload-param", "length=1000"];

describe("output paths are checked before any work (issue 29)", () => {
  it.each([
    ["sweep --out FILE", ["sweep", spec, "--out", file], /--out .*a-file: not a directory/],
    ["sweep --out FILE/sub", ["sweep", spec, "--out", join(file, "sub")], /--out .*a-file\/sub: cannot write there \(ENOTDIR \(a part of the path is not a directory\)\)/],
    ["trace generate --out DIR", [...gen, "--out", folder], /--out .*a-folder: a directory, where a file was expected/],
    ["trace convert IN DIR", ["trace", "convert", spec, folder], /<out> .*a-folder: a directory, where a file was expected/],
    ["train --out DIR", ["train", "--env", "kvsim/Serving-easy-v0", "--agent", "qlearning", "--steps", "10", "--out", folder], /--out .*a-folder: a directory/],
    ["train --curve DIR", ["train", "--env", "kvsim/Serving-easy-v0", "--agent", "qlearning", "--steps", "10", "--out", join(dir, "w.json"), "--curve", folder], /--curve .*a-folder: a directory/],
    ["serving simulate --out FILE", ["serving", "simulate", "--trace", "tests/fixtures/timed/vidur-5.csv", "--model", "llama-2-7b", "--gpu", "a100-80gb", "--out", file], /--out .*a-file: not a directory/],
    ["tokens generate -o DIR", ["tokens", "generate", "-o", folder], /--out .*a-folder: a directory/],
  ])("%s: exit 2, one line, nothing written", async (_, args, message) => {
    const before = readdirSync(dir).sort();
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readdirSync(folder)).toEqual([]);
  });

  it("a symbolic link is written through (the link stays), and a device is written, never replaced", async () => {
    const target = join(dir, "target.csv");
    const link = join(dir, "link.csv");
    symlinkSync(target, link);
    expect((await runCli([...gen, "--out", link])).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toMatch(/^page/);
    expect((await runCli([...gen, "--out", "/dev/null", "--format", "csv"])).code).toBe(0);
    expect(lstatSync("/dev/null").isCharacterDevice()).toBe(true);
  });
});
