import { spawn, type ChildProcess } from "node:child_process";

/** `kvsim serve` from the shipped CLI (bin/kvsim.js) in its own process, once it says where it serves. */
export async function spawnServe(args: string[] = []): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ["bin/kvsim.js", "serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`serve exited early with ${code}`)));
  });
  return { child, base };
}

/** Stops it with SIGTERM; its exit code. */
export function stopServe(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  return exited;
}
