import { Policy, PolicyHints } from "../policies/policy";

/**
 * A policy's hooks as the block pool calls them (cached-content.ts), bound to the policy's own
 * class. The pool does not call a `Policy`'s hooks itself: a second caller of each hook's virtual
 * dispatch keeps the optimizer from inlining it into the page engine's replay loop, which cost
 * those policies 10–25% of their replay speed. Made by the registry entry (`evictsBlocks<P>`).
 */
export abstract class BlockEvictor {
  abstract hints(): PolicyHints;
  abstract keepsPinnedPages(): bool;
  abstract start(): void;
  abstract access(page: i32, hitTier: i32): void;
  abstract enter(page: i32, tier: i32): void;
  abstract leave(page: i32, tier: i32): void;
  abstract evicted(page: i32, tier: i32): void;
  abstract forget(page: i32): void;
  abstract victim(tier: i32): i32;
}

/** `BlockEvictor` for policy class P: every hook a direct call on P. */
export class BlockEvictorOf<P extends Policy> extends BlockEvictor {
  constructor(private policy: P) {
    super();
  }

  hints(): PolicyHints { return this.policy.hints(); }
  keepsPinnedPages(): bool { return this.policy.keepsPinnedPages(); }
  start(): void { this.policy.onStart(false); }
  access(page: i32, hitTier: i32): void { this.policy.onAccess(page, hitTier); }
  enter(page: i32, tier: i32): void { this.policy.onEnter(page, tier); }
  leave(page: i32, tier: i32): void { this.policy.onLeave(page, tier); }
  evicted(page: i32, tier: i32): void { this.policy.onEvict(page, tier); }
  forget(page: i32): void { this.policy.onForget(page); }
  victim(tier: i32): i32 { return this.policy.victim(tier, -1); }
}
