import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The playground: a static site (relative base, so it works from any path or file server);
// `kvsim serve` serves the same build at /.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: "es" },
  // csv-parse's Node build reads a global Buffer at load time; its browser build does not.
  resolve: { alias: { "csv-parse/sync": "csv-parse/browser/esm/sync" } },
});
