import { instantiateSync } from "@assemblyscript/loader";
import type { instantiate as releaseBindings } from "../../build/kvsim.js";
import type { instantiate as servingBindings } from "../../build/kvsim-serving.js";
import * as blockPoolAbi from "../../assembly/abi/block-pool.js";
import * as hierarchyAbi from "../../assembly/abi/hierarchy.js";
import * as policiesAbi from "../../assembly/abi/policies.js";
import * as servingAbi from "../../assembly/abi/serving.js";
import * as timedAbi from "../../assembly/abi/timed.js";
import { POLICY_CATALOG_HASH } from "../policies/catalog.generated.js";
import { nodeBuiltin } from "../util/node-builtins.js";

/**
 * The engine's exports, typed by the compiler's own declarations of the release build
 * (`build/kvsim.d.ts`, emitted beside `build/kvsim.wasm`). Those describe the compiler's adapted
 * bindings; the facades call the raw functions, so they read pointers as `>>> 0` and booleans by
 * truthiness, which is right for both. Only the facades in this directory hold an instance.
 */
export type EngineExports = Awaited<ReturnType<typeof releaseBindings>>;
/** The serving engine's exports (`build/kvsim-serving.wasm`: the block pool and the serving simulation). */
export type ServingExports = Awaited<ReturnType<typeof servingBindings>>;

/** The subsystems that own engine instances, named in abort messages. */
export type Subsystem = "hierarchy" | "block pool" | "serving" | "timed" | "tokens" | "stack distances";

/** The engine stopped on an `abort` (an out-of-range index, memory exhausted, a broken assertion). */
export class EngineAbort extends Error {
  constructor(
    readonly subsystem: Subsystem,
    readonly reason: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`kvsim engine (${subsystem}) aborted: ${reason} at ${file}:${line}:${column}`);
    this.name = "EngineAbort";
  }
}

/** The engine's build is missing or was made from other sources than this host: rebuild it. */
export class EngineBuildError extends Error {
  override readonly name = "EngineBuildError";
}

/**
 * Every enum of the declared boundary (assembly/abi/), which the engine also exports member by
 * member as globals named `Enum.member`.
 */
const BOUNDARY: Record<string, Record<string, string | number>> = { ...hierarchyAbi, ...blockPoolAbi, ...servingAbi, ...policiesAbi, ...timedAbi };

/** The members of an enum of the boundary in declaration order (TypeScript's reverse entries skipped). */
export function enumMembers(e: Record<string, string | number>): string[] {
  return Object.keys(e).filter((k) => typeof e[k] === "number");
}

/** A layout's field names: its members but `COUNT`, which is the number of fields. */
export type FieldName<E> = Exclude<keyof E, "COUNT">;

/** The field names of a layout enum, in order. */
export const layoutFields = <E extends Record<string, string | number>>(e: E): FieldName<E>[] =>
  enumMembers(e).filter((n) => n !== "COUNT") as FieldName<E>[];

const checkedModules = new WeakSet<WebAssembly.Module>();

/**
 * Throws unless the engine's boundary is exactly the host's: every member of every enum of
 * assembly/abi/ exported with the host's value, nothing more, and the policy registry the host
 * was generated from (catalog.generated.ts). A mismatch means the `.wasm` was built from other
 * sources than this host (a stale `build/`).
 */
export function checkBoundary(module: WebAssembly.Module, instance: WebAssembly.Instance): void {
  if (checkedModules.has(module)) return;
  const exported = new Map<string, number>();
  for (const { name, kind } of WebAssembly.Module.exports(module)) {
    if (kind === "global" && name.includes(".")) exported.set(name, (instance.exports[name] as WebAssembly.Global).value as number);
  }
  const stale = (what: string): never => {
    throw new EngineBuildError(`the WebAssembly engine does not match this kvsim's boundary (${what}): rebuild it with \`npm run build:wasm\``);
  };
  for (const [name, members] of Object.entries(BOUNDARY)) {
    for (const member of enumMembers(members)) {
      const key = `${name}.${member}`;
      const value = exported.get(key);
      if (value === undefined) stale(`${key} is missing`);
      if (value !== members[member]) stale(`${key} is ${value} in the engine, ${members[member]} here`);
      exported.delete(key);
    }
  }
  const extra = exported.keys().next();
  if (!extra.done) stale(`the engine exports ${extra.value}, unknown here`);
  const hash = instance.exports.policyCatalogHash;
  if (typeof hash !== "function") stale("policyCatalogHash is missing");
  const catalog = (hash as () => number)() >>> 0;
  if (catalog !== POLICY_CATALOG_HASH) stale(`its policy registry hashes to ${catalog}, this host's to ${POLICY_CATALOG_HASH}`);
  checkedModules.add(module);
}

/**
 * What a timed engine asks of the fleet's shared disk tier, held by another instance
 * (assembly/blocks/shared-tier.ts); hashes are below 2^53.
 */
export interface SharedTierCalls {
  sharedTierHas(hash: number): boolean;
  sharedTierPut(hash: number): boolean;
  sharedTierUse(hash: number): void;
  sharedTierCount(): number;
}

/** An instance that was given no shared tier never asks for one: a call means the engine and host disagree. */
const noSharedTier = (): never => {
  throw new Error("the engine asked for a shared disk tier it was not given");
};
const NO_SHARED_TIER: SharedTierCalls = { sharedTierHas: noSharedTier, sharedTierPut: noSharedTier, sharedTierUse: noSharedTier, sharedTierCount: noSharedTier };

/** The instance each facade owns (one instance, one facade), for `exportsOf`. */
const facades = new WeakMap<object, object>();

/**
 * A new instance of `module`, owned by `facade` (its memory private to it). Instantiated through
 * `@assemblyscript/loader`, whose string reader turns an abort's message and file into text. A
 * serving instance that may run on a fleet's shared disk tier is given `sharedTier`.
 */
export function instantiate<E extends { resetArena(): void } = EngineExports>(module: WebAssembly.Module, subsystem: Subsystem, facade: object, sharedTier: SharedTierCalls = NO_SHARED_TIER): E {
  let readString: ((pointer: number) => string | null) | undefined;
  const text = (pointer: number) => (readString ? readString(pointer >>> 0) ?? "" : "(unknown)");
  const { exports, instance } = instantiateSync<Record<string, unknown>>(module, {
    env: {
      abort(message: number, file: number, line: number, column: number): never {
        throw new EngineAbort(subsystem, text(message), text(file), line >>> 0, column >>> 0);
      },
      ...sharedTier,
    },
  });
  readString = exports.__getString;
  checkBoundary(module, instance);
  // The raw functions: the loader's own wrappers cost a rest-argument call on every crossing.
  const raw = instance.exports as unknown as E;
  // The first check of a module hashed the policy registry in this instance, allocating its
  // entries: every facade starts from an empty arena all the same.
  raw.resetArena();
  facades.set(facade, raw);
  return raw;
}

type TypedArrayOf<T> = new (buffer: ArrayBuffer, byteOffset: number, length: number) => T;

/**
 * A typed-array view of `length` elements at `pointer` in the instance's memory. The pointer is an
 * argument, so it is computed before the memory's buffer is read: a call that allocates may grow
 * the memory, which detaches every buffer read before it.
 */
export function view<T>(exports: { memory: WebAssembly.Memory }, Type: TypedArrayOf<T>, pointer: number, length: number): T {
  return new Type(exports.memory.buffer, pointer >>> 0, length);
}

/**
 * The raw exports of the instance a facade owns. Only for driving an engine of the test build
 * (`build/kvsim.test.wasm`), whose extra hooks no facade offers: see tests/helpers/test-build.ts.
 */
export function exportsOf<E = EngineExports>(facade: object): E {
  const exports = facades.get(facade);
  if (!exports) throw new Error("not a kvsim engine facade");
  return exports as E;
}

let compiled: WebAssembly.Module | undefined;
let compiledServing: WebAssembly.Module | undefined;

/**
 * Finds `build/<file>` from either `src/wasm` (tests) or `dist/src/wasm` (built package).
 */
function buildFile(file: string): string {
  const { existsSync } = nodeBuiltin("node:fs", `loading build/${file}`);
  const { dirname, join } = nodeBuiltin("node:path", `loading build/${file}`);
  let dir = dirname(nodeBuiltin("node:url", `loading build/${file}`).fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "build", file);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new EngineBuildError(`build/${file} not found: run \`npm install\` (or \`npm run build:wasm\`) first`);
}

/** Compiles `build/<file>` (Node only). */
export function compileBuildFile(file: string): WebAssembly.Module {
  return new WebAssembly.Module(nodeBuiltin("node:fs", `loading build/${file}`).readFileSync(buildFile(file)));
}

/**
 * Makes `module` the page engine every later facade instantiates (and `serving` the serving
 * engine, when given). The browser entry calls it once the WASM has been fetched (there is no
 * synchronous file read there); workers call it with the module their parent sent.
 */
export function useEngineModule(module: WebAssembly.Module, serving?: WebAssembly.Module): void {
  compiled = module;
  if (serving) compiledServing = serving;
}

/** The page engine, compiled once per process (read from disk in Node) and shareable with workers. */
export function engineModule(): WebAssembly.Module {
  compiled ??= compileBuildFile("kvsim.wasm");
  return compiled;
}

/**
 * The serving engine (the block pool and the serving simulation), compiled once per process; a
 * build of its own, for the reason assembly/serving-index.ts gives.
 */
export function servingModule(): WebAssembly.Module {
  compiledServing ??= compileBuildFile("kvsim-serving.wasm");
  return compiledServing;
}
