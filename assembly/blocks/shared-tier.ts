/**
 * A disk tier shared by a fleet's instances (a remote store such as Mooncake Store or LMCache's
 * remote backend). Each instance is its own WebAssembly instance, so the store lives in another
 * one (a block pool used as a content store, `storeContent` in pool.ts) and the host passes these
 * calls to it (src/wasm/shared-tier.ts). Hashes cross as f64: the host keeps them below 2^53.
 */

/** Whether the store holds content `hash`. */
@external("env", "sharedTierHas")
export declare function sharedTierHas(hash: f64): bool;

/** Copies content `hash` into the store (true) or, already there, counts it as used now (false). */
@external("env", "sharedTierPut")
export declare function sharedTierPut(hash: f64): bool;

/** Counts content `hash`, which the store holds, as read now. */
@external("env", "sharedTierUse")
export declare function sharedTierUse(hash: f64): void;

/** Contents the store holds. */
@external("env", "sharedTierCount")
export declare function sharedTierCount(): i32;
