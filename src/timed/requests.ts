/**
 * What a request's leading `tokens` tokens hold (its prompt, or a conversation's prompt and output):
 * consecutive blocks of `blockTokens` tokens, each named by an id. Two requests whose first k ids
 * are equal share their first k × blockTokens tokens, so a prefix cache of any block size can
 * derive its block hashes from the ids; tokens past `tokens` are the request's own.
 */
export interface TokenContent {
  blockTokens: number;
  /** How many leading tokens the ids name (the last block may be partial). */
  tokens: number;
  /** One id per block: ⌈tokens / blockTokens⌉ of them. */
  ids: readonly number[];
}

/** A request of a serving simulation: when it arrives and how many tokens it reads and writes. */
export interface ServingRequest {
  /** Seconds from the simulation's zero. */
  arrival: number;
  prompt: number;
  /** Output tokens, the first one (made by the prefill) included. */
  output: number;
  /** What the request's tokens hold, for prefix caching; absent: content shared with no other request. */
  content?: TokenContent;
  /** The conversation a multi-turn request belongs to. */
  session?: number;
}

// The Vidur CSV reader lives with the other trace formats; existing importers find it here.
export { parseRequestsCsv, readRequestsCsv } from "./trace-formats.js";
