import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnServe, stopServe } from "../helpers/serve-process.js";

/** The shipped CLI (bin/kvsim.js → the esbuild bundle), which loads the server and the evaluator from dist at run time. */
describe("the bundled CLI", () => {
  it("kvsim serve starts, answers, and stops cleanly on SIGTERM", async () => {
    const { child, base: address } = await spawnServe();
    const health = await (await fetch(`${address}/health`)).json();
    expect(health).toEqual({ status: "healthy" });
    const code = await stopServe(child);
    expect(code).toBe(0);
  }, 30_000);

  it("kvsim serve --env with an unknown env exits 2 with one line, before binding", () => {
    let failure: { status: number; stderr: string } = { status: 0, stderr: "" };
    try {
      // Checked after binding, the env would come too late: port 1 would be bound (as root) or refused (EACCES), not exit 2 for --env.
      execFileSync(process.execPath, ["bin/kvsim.js", "serve", "--env", "kvsim/Nope-v0", "--port", "1"], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 20_000 });
    } catch (err) {
      failure = err as { status: number; stderr: string };
    }
    expect(failure.status).toBe(2);
    expect(failure.stderr.trim().split("\n")).toHaveLength(1);
    expect(failure.stderr).toMatch(/--env: unknown environment "kvsim\/Nope-v0"/);
  });

  it("kvsim eval --policy runs and writes its artifacts; an input error exits 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsim-bundle-eval-"));
    execFileSync(process.execPath, ["bin/kvsim.js", "eval", "--policy", "greedy", "-n", "3", "--out", dir], { stdio: "ignore" });
    expect(readFileSync(join(dir, "results.jsonl"), "utf8").trim().split("\n")).toHaveLength(3);
    let status = 0;
    try {
      execFileSync(process.execPath, ["bin/kvsim.js", "eval", "--policy", "greedy", "-n", "-1", "--env-args", '{"seed":-4}', "--out", dir], { stdio: "ignore" });
    } catch (err) {
      status = (err as { status: number }).status;
    }
    expect(status).toBe(2);
  });
});
