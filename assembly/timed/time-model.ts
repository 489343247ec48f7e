/**
 * The one interface of the time models (src/timed/time-model.ts): the simulated seconds the
 * iteration in batch.ts takes. Each model is a file of this directory and a line of
 * time-models.ts; each computes, double operation for double operation, what its TypeScript twin
 * does, so that a run is the same in WebAssembly and in the reference.
 */
export abstract class TimeModel {
  abstract iterationTime(): f64;
}
