import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../package-info.js";

/**
 * Loads a compiled module of dist/src at run time, outside the CLI bundle. A bundled dynamic
 * import would still hoist its external dependencies (Fastify, the OpenAI client) into the
 * bundle's start-up; this way they load only for the commands that use them.
 */
export function loadCompiled<T>(path: string): Promise<T> {
  return import(compiledUrl(path)) as Promise<T>;
}

/**
 * The file URL of a compiled module of dist/src (a worker script, say), also when the caller runs
 * from src/ under vitest or from the CLI bundle.
 */
export const compiledUrl = (path: string): string => pathToFileURL(join(packageRoot(), "dist", "src", path)).href;
