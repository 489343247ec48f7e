import { profile, PROFILE_KHL, numPages, numTiers, tierCapacity, pages, PageRecord, RECORD, FLAGS, PENDING_BIT, PINNED_BIT, sizeOf } from "./state";
import { ListPool } from "../util/list-pool";

/**
 * Which tiers hold which pages, in each tier's insertion order (intrusive doubly linked lists
 * over typed arrays, like vLLM's free block queue).
 *
 * A page's list node in tier t is `t * stride + page`. In the kvsim profile residency is
 * exclusive, so stride is 0, every tier shares one node per page and the links live in the page
 * record. The khl profile lets a page sit in two tiers at once (kv-hierarchy-lab's quirk Q1), so
 * each tier gets its own nodes in a separate link array.
 */
export let tierUsed = new StaticArray<i64>(0);
export let tierPeak = new StaticArray<i64>(0);
export let tierCount = new StaticArray<i32>(0);
let order = new ListPool<PageRecord>(0, 0);
let stride: i32 = 0;
/** Bit t set: tier t's insertion order is kept (see `keepOrder`). */
let orderedTiers: i32 = -1;
/** Whether any page can be pinned (the block pool's); false leaves `evictable` one comparison. */
let pinning = false;

/** Whether linkIn / linkOut keep each tier's insertion order (only if the policy walks it). */
export function keepOrder(keep: bool): void {
  orderedTiers = keep ? -1 : 0;
}

/**
 * Whether linkIn / linkOut keep tier `tier`'s insertion order, the other tiers' unchanged: a block
 * pool whose tiers evict by different policies keeps it only for those that walk it, since an
 * unkept order leaves the page records' link slots to the policy (S3-FIFO's queues, random's sets).
 */
export function keepTierOrder(tier: i32, keep: bool): void {
  orderedTiers = keep ? orderedTiers | (1 << tier) : orderedTiers & ~(1 << tier);
}

export function initResidency(): void {
  pinning = false;
  tierUsed = new StaticArray<i64>(numTiers);
  tierPeak = new StaticArray<i64>(numTiers);
  tierCount = new StaticArray<i32>(numTiers);
  if (profile == PROFILE_KHL) {
    stride = numPages;
    order = new ListPool<PageRecord>(numTiers, numPages * numTiers);
  } else {
    stride = 0;
    order = new ListPool<PageRecord>(numTiers, numPages, pages);
  }
}

@inline function flagsOf(page: i32): i32 {
  return unchecked(pages[page * RECORD + FLAGS]);
}

@inline function setFlags(page: i32, flags: i32): void {
  unchecked(pages[page * RECORD + FLAGS] = flags);
}

/** Bit t set ⇔ the page is resident in tier t. */
@inline export function residentMaskOf(page: i32): i32 {
  return flagsOf(page) & 0xff;
}

/** First (fastest) tier holding the page, or -1. */
@inline export function firstTier(page: i32): i32 {
  const mask = flagsOf(page) & 0xff;
  return mask == 0 ? -1 : ctz<i32>(mask);
}

@inline export function isIn(tier: i32, page: i32): bool {
  return ((flagsOf(page) >> tier) & 1) != 0;
}

/** Placed by a prefetch and not yet used or evicted. */
@inline export function isPending(page: i32): bool {
  return (flagsOf(page) & PENDING_BIT) != 0;
}

@inline export function setPending(page: i32, pending: bool): void {
  const flags = flagsOf(page);
  setFlags(page, pending ? flags | PENDING_BIT : flags & ~PENDING_BIT);
}

/**
 * Lets pages be pinned (the block pool: a block in use by a request cannot be evicted, and a
 * policy that keeps pinned pages in its order passes over them; see `Policy.keepsPinnedPages`).
 */
export function allowPinning(): void {
  pinning = true;
}

@inline export function setPinnedPage(page: i32, pin: bool): void {
  const flags = flagsOf(page);
  setFlags(page, pin ? flags | PINNED_BIT : flags & ~PINNED_BIT);
}

@inline export function isPinnedPage(page: i32): bool {
  return (flagsOf(page) & PINNED_BIT) != 0;
}

/** Whether a victim search may take `page`: not the engine's `exclude`, not pinned. */
@inline export function evictable(page: i32, exclude: i32): bool {
  return page != exclude && !(pinning && (flagsOf(page) & PINNED_BIT) != 0);
}

/** Oldest page of the tier (head of its order), or -1. */
@inline export function headOf(tier: i32): i32 {
  const node = order.first(tier);
  return node < 0 ? -1 : node - tier * stride;
}

/** The page after `page` in the tier's order, or -1. */
@inline export function nextIn(tier: i32, page: i32): i32 {
  const node = order.next(tier * stride + page);
  return node < 0 ? -1 : node - tier * stride;
}

/** Appends the page at the tail of the tier's order and charges its bytes. */
@inline export function linkIn(tier: i32, page: i32): void {
  if ((orderedTiers >> tier) & 1) order.append(tier, tier * stride + page);
  setFlags(page, flagsOf(page) | (1 << tier));
  unchecked(tierCount[tier] = tierCount[tier] + 1);
  const used = unchecked(tierUsed[tier]) + <i64>sizeOf(page);
  unchecked(tierUsed[tier] = used);
  if (used > unchecked(tierPeak[tier])) unchecked(tierPeak[tier] = used);
}

/** Unlinks the page from the tier and releases its bytes. */
@inline export function linkOut(tier: i32, page: i32): void {
  if ((orderedTiers >> tier) & 1) order.remove(tier, tier * stride + page);
  setFlags(page, flagsOf(page) & ~(1 << tier));
  unchecked(tierCount[tier] = tierCount[tier] - 1);
  unchecked(tierUsed[tier] = tierUsed[tier] - <i64>sizeOf(page));
}

/** Moves a resident page to the tail of its tier's order (recency-ordered lists). */
@inline export function moveToTail(tier: i32, page: i32): void {
  const node = tier * stride + page;
  if (order.last(tier) == node) return;
  order.remove(tier, node);
  order.append(tier, node);
}

@inline export function fits(tier: i32, bytes: i64): bool {
  return unchecked(tierUsed[tier]) + bytes <= unchecked(tierCapacity[tier]);
}
