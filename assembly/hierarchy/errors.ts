import { EngineError } from "../abi/hierarchy";

/** Set when the replay had to stop; read by the host after `run`. */
export let errorCode: i32 = EngineError.none;
export let errorPage: i32 = -1;
export let errorTier: i32 = -1;

/** Records the first failure of the run (later ones follow from it). */
export function fail(code: i32, page: i32, tier: i32): void {
  if (errorCode == EngineError.none) {
    errorCode = code;
    errorPage = page;
    errorTier = tier;
  }
}

/** A new run starts with no error. */
export function clearError(): void {
  errorCode = EngineError.none;
  errorPage = -1;
  errorTier = -1;
}
