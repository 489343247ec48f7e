/**
 * Where the engine and the sweep worker sit relative to this module. Written as literal
 * `new URL(…, import.meta.url)` so bundlers (Vite, webpack, esbuild) find and emit the files;
 * the self-contained build (`scripts/build-browser.mjs`) swaps this module for one pointing at
 * the copies it places beside itself.
 */
export const engineUrl = (): URL => new URL("../../../build/kvsim.wasm", import.meta.url);
export const servingEngineUrl = (): URL => new URL("../../../build/kvsim-serving.wasm", import.meta.url);

export const sweepWorker = (): Worker => new Worker(new URL("./sweep-worker.js", import.meta.url), { type: "module" });
