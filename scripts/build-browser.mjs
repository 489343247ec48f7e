// Builds dist/browser/: kvsim/browser as self-contained ES modules (no bundler, no import map
// needed) with the engine and the sweep worker beside them. Vega loads as a separate chunk, on
// first chart only.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

const out = "dist/browser";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** In this layout the engine and the worker sit next to the module, not at the package's paths. */
const siblingLocations = {
  name: "sibling-locations",
  setup(b) {
    b.onLoad({ filter: /src[\\/]browser[\\/]locations\.ts$/ }, () => ({
      loader: "ts",
      contents: `export const engineUrl = (): URL => new URL("./kvsim.wasm", import.meta.url);
export const servingEngineUrl = (): URL => new URL("./kvsim-serving.wasm", import.meta.url);
export const sweepWorker = (): Worker => new Worker(new URL("./sweep-worker.js", import.meta.url), { type: "module" });`,
    }));
  },
};

await build({
  entryPoints: { kvsim: "src/browser/index.ts", "sweep-worker": "src/browser/sweep-worker.ts" },
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: true,
  chunkNames: "chunk-[hash]",
  plugins: [siblingLocations],
  // csv-parse's Node build reads a global Buffer at load time; its browser build does not.
  alias: { "csv-parse/sync": "csv-parse/browser/esm/sync" },
  logLevel: "warning",
});
copyFileSync("build/kvsim.wasm", `${out}/kvsim.wasm`);
copyFileSync("build/kvsim-serving.wasm", `${out}/kvsim-serving.wasm`);
