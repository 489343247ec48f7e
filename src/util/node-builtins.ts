/**
 * Node's built-in modules for code that also runs in the browser. A static `import "node:fs"`
 * would make every module on the path unbundleable for the web, although only file access needs
 * it; `process.getBuiltinModule` (Node ≥ 20.16) loads it at the call instead.
 */
type Builtins = {
  "node:fs": typeof import("node:fs"); "node:path": typeof import("node:path"); "node:url": typeof import("node:url"); "node:zlib": typeof import("node:zlib");
};

export function nodeBuiltin<K extends keyof Builtins>(id: K, purpose: string): Builtins[K] {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.(id);
  if (!mod) throw new Error(`${purpose} needs Node.js (${id}); in the browser pass the data itself`);
  return mod as Builtins[K];
}
