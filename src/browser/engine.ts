import { engineModule, servingModule, useEngineModule } from "../wasm/instance.js";
import { engineUrl, servingEngineUrl } from "./locations.js";

/** What `init` accepts for an engine: a URL of its .wasm, its bytes, a fetch Response, or a compiled module. */
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
 * Loads and compiles the WASM engines once; every other call of the browser API awaits it. With no
 * argument it fetches `build/kvsim.wasm` and `build/kvsim-serving.wasm` beside the package (in
 * Node: reads them from disk). Calling it again with a source replaces the page engine (and, with
 * `serving`, the serving engine: the block pool and serving envs).
 */
export function init(source?: WasmSource, serving?: WasmSource): Promise<WebAssembly.Module> {
  if (source === undefined && serving === undefined && ready) return ready;
  const load = (given: WasmSource | undefined, inNodeModule: () => WebAssembly.Module, url: () => URL): Promise<WebAssembly.Module> =>
    given === undefined && inNode() ? Promise.resolve(inNodeModule()) : compile(given ?? url());
  const loading = Promise.all([load(source, engineModule, engineUrl), load(serving, servingModule, servingEngineUrl)]).then(([module, servingEngine]) => {
    useEngineModule(module, servingEngine);
    return module;
  });
  ready = loading;
  // A failed load may be retried; a later init() that already replaced it stays.
  loading.catch(() => {
    if (ready === loading) ready = undefined;
  });
  return loading;
}
