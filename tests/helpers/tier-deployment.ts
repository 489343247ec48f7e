import { gpuPreset } from "../../src/timed/gpus.js";
import { kvBytesPerToken, modelPreset } from "../../src/timed/models.js";
import type { ServingRequest } from "../../src/timed/requests.js";

/** The tier tests' deployment: Llama-3-8B on an H100 with 16-token blocks. */
export const model = modelPreset("llama-3-8b");
export const gpu = gpuPreset("h100-sxm");
export const B = 16;
/** One block of Llama-3-8B on one GPU: 2 MiB. */
export const BLOCK_BYTES = kvBytesPerToken(model) * B;

/** A request whose prompt is `blocks` whole blocks named `name`·k (the same name, the same content), then `extra` tokens. */
export const blockRequest = (arrival: number, name: number, blocks: number, extra = 0): ServingRequest => ({
  arrival, prompt: blocks * B + extra, output: 1, content: { tokens: blocks * B, blockTokens: B, ids: Array.from({ length: blocks }, (_, k) => name * 1000 + k) },
});
