import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../package-info.js";

/**
 * Loads a compiled module of dist/src at run time, outside the CLI bundle. A bundled dynamic
 * import would still hoist its external dependencies (Fastify, the OpenAI client) into the
 * bundle's start-up; this way they load only for the commands that use them.
 */
export function loadCompiled<T>(path: string): Promise<T> {
  return import(pathToFileURL(join(packageRoot(), "dist", "src", path)).href) as Promise<T>;
}
