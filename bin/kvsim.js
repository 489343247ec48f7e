#!/usr/bin/env node
// The CLI is one esbuild bundle (dist/kvsim-cli.js): loading one file is much faster than
// resolving the hundreds of files of dist/src and its dependencies, which matters for short commands.
import { main } from "../dist/kvsim-cli.js";

// A reader that stops early (`kvsim … | head -1`) closes the pipe: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
