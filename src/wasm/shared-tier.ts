import { PoolInvariant, PoolTier } from "../../assembly/abi/block-pool.js";
import { setupWithEviction, type BlockEviction } from "./block-eviction.js";
import { instantiate, servingModule, type ServingExports, type SharedTierCalls } from "./instance.js";

/**
 * A fleet's shared disk tier (a remote store every instance reads and writes: Mooncake Store,
 * LMCache's remote backend): one block pool of `blocks` blocks used as a content store, evicting
 * by any block policy of the registry. The instances' engines call it through `calls` as their
 * own pools would their disk tier (assembly/blocks/shared-tier.ts); it holds one copy per hash.
 */
export class SharedTierStore {
  private readonly w: ServingExports;
  /** Bound once: each engine instance is given these at instantiation. */
  readonly calls: SharedTierCalls;

  constructor(readonly blocks: number, eviction: BlockEviction, seed: number, module: WebAssembly.Module = servingModule()) {
    const w = (this.w = instantiate<ServingExports>(module, "timed", this));
    // The store serves no requests: one request slot of one block satisfies the pool's setup.
    setupWithEviction(w, eviction, (policyId) => w.poolSetup(blocks, 0, 1, 1, 1, policyId, seed));
    this.calls = {
      sharedTierHas: (hash) => !!w.poolStoreHolds(hash),
      sharedTierPut: (hash) => !!w.poolStoreContent(hash),
      sharedTierUse: (hash) => w.poolUseStoredContent(hash),
      sharedTierCount: () => w.poolCachedBlocks(PoolTier.gpu),
    };
  }

  /** Contents held now. */
  get count(): number {
    return this.calls.sharedTierCount();
  }

  /** Throws if the store's pool breaks an invariant (one copy per hash, counts, its policy's own). */
  check(): void {
    const code = this.w.poolCheck() as PoolInvariant;
    if (code !== PoolInvariant.ok) throw new Error(`shared disk tier: block pool invariant ${code} broken`);
  }
}
