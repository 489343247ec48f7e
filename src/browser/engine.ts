import { engineModule, useEngineModule } from "../wasm/instance.js";
import { engineUrl } from "./locations.js";

/** What `init` accepts: a URL of kvsim.wasm, its bytes, a fetch Response, or a compiled module. */
export type WasmSource = string | URL | Response | ArrayBuffer | Uint8Array | WebAssembly.Module;

let ready: Promise<WebAssembly.Module> | undefined;

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return WebAssembly.compile(source as BufferSource);
  const response = source instanceof Response ? source : await fetch(source);
  if (!response.ok) throw new Error(`kvsim: cannot load the engine from ${response.url || String(source)} (HTTP ${response.status})`);
  // compileStreaming needs the application/wasm MIME type, which static servers do not all send.
  return response.headers.get("content-type")?.startsWith("application/wasm")
    ? WebAssembly.compileStreaming(response)
    : WebAssembly.compile(await response.arrayBuffer());
}

const inNode = (): boolean => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";

/**
 * Loads and compiles the WASM engine once; every other call of the browser API awaits it. With no
 * argument it fetches `build/kvsim.wasm` beside the package (in Node: reads it from disk). Calling
 * it again with a source replaces the engine.
 */
export function init(source?: WasmSource): Promise<WebAssembly.Module> {
  if (source === undefined && ready) return ready;
  const loading = (source === undefined && inNode() ? Promise.resolve(engineModule()) : compile(source ?? engineUrl())).then((module) => {
    useEngineModule(module);
    return module;
  });
  ready = loading;
  // A failed load may be retried; a later init() that already replaced it stays.
  loading.catch(() => {
    if (ready === loading) ready = undefined;
  });
  return loading;
}
