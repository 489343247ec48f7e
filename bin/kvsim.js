#!/usr/bin/env node
// The CLI is one esbuild bundle (dist/kvsim-cli.js): loading one file is much faster than
// resolving the hundreds of files of dist/src and its dependencies, which matters for short commands.
import { main } from "../dist/kvsim-cli.js";

process.exitCode = await main(process.argv.slice(2));
