/**
 * The one interface of the time models (src/timed/time-model.ts): the simulated seconds the
 * iteration in batch.ts takes. Each model is a file of this directory and a line of
 * time-models.ts; each computes, double operation for double operation, what its TypeScript twin
 * does, so that a run is the same in WebAssembly and in the reference.
 */
export abstract class TimeModel {
  abstract iterationTime(): f64;
  /**
   * The seconds of an iteration holding only a prefill of `tokens` tokens after `context` cached
   * ones, sampling nothing: what a scheduler estimates a prefill by (NaN outside the model).
   */
  abstract prefillTime(tokens: i32, context: i32): f64;
}
