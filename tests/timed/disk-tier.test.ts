import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policyInfo } from "../../src/policies/registry.js";
import { requestFuture } from "../../src/timed/future.js";
import { DISK_LINKS } from "../../src/timed/disk-tier.js";
import { simulateFleet } from "../../src/timed/fleet.js";
import { HOST_LINKS } from "../../src/timed/host-tier.js";
import { kvBytesPerToken } from "../../src/timed/models.js";
import { rooflineTimeModel } from "../../src/timed/roofline.js";
import { simulateServing, simulateServingStream, type SimulateServingOptions } from "../../src/timed/simulate.js";
import { readServingTrace } from "../../src/timed/trace-formats.js";
import { BLOCK_POLICIES, blockEviction } from "../../src/wasm/block-eviction.js";
import { TimedCacheModel, TimedEngine, TimedOffload, TimedScheduler } from "../../src/wasm/timed.js";
import { runCli } from "../helpers/cli.js";
import { mooncakeSweeps } from "../helpers/mooncake-sweep.js";
import { blockRequest as request, B, BLOCK_BYTES, gpu, model } from "../helpers/tier-deployment.js";
import { runCheckingInvariants, tierTestRequests } from "../helpers/tier-invariants.js";

const pcie4 = HOST_LINKS.pcie4;
const nvme4 = DISK_LINKS.nvme4;


describe("a disk tier below the host tier (docs/model.md)", () => {
  // A's 4 blocks go to the 4-block host when C fills the 14-block GPU; D's filling it pushes C's
  // 13 blocks through the host, which evicts A's to disk (write-back). B, at 30 s, has A's content.
  const requests = [request(0, 1, 4), request(10, 2, 13, B - 1), request(20, 3, 13, B - 1), request(30, 1, 4)];
  const base: SimulateServingOptions = { requests, model, gpu, kvBlocks: 14, blockSize: B, maxNumSeqs: 4 };

  it("a prefix found on disk is read into host memory, then loaded over the GPU link, and not computed: exactly its two transfers", () => {
    const sim = simulateServing({ ...base, hostTier: { blocks: 4, disk: { blocks: 64 } } });
    // 4 blocks found on disk; the last prompt token is computed for its logits, so 3 blocks load and 16 tokens compute.
    expect(sim.requests[3]).toMatchObject({ prefixHitTokens: 0, hostHitTokens: 0, diskHitTokens: 3 * B, matchedPrefixBlocks: 4 });
    const read = 30 + nvme4.read.latencyS + (3 * BLOCK_BYTES) / nvme4.read.bytesPerS;
    const loaded = read + pcie4.latencyS + (3 * BLOCK_BYTES) / pcie4.bytesPerS;
    const first = sim.iterations.find((i) => i.start >= 30)!;
    expect(first.start).toBeCloseTo(loaded, 12);
    expect(first.prefillTokens).toBe(B);
    expect(sim.requests[3]!.firstToken).toBeCloseTo(first.start + first.duration, 12);
    expect(sim.summary.diskTier).toMatchObject({ hitTokens: 3 * B, loadedBlocks: 3, stagedBlocks: 3, bytesFromDisk: 3 * BLOCK_BYTES, offload: "write-back", eviction: "lru" });
    // The GPU–host link carried the disk's blocks too, and the rows saw both links' bytes.
    expect(sim.summary.hostTier).toMatchObject({ hitTokens: 0, loadedBlocks: 3, bytesFromHost: 3 * BLOCK_BYTES });
    expect(first.bytesFromDisk! + first.bytesFromHost).toBe(6 * BLOCK_BYTES);
    expect(sim.summary.tokens).toEqual({ prompt: 64 + 2 * (14 * B - 1) + 64, gpuHit: 0, hostHit: 0, diskHit: 3 * B, prefilled: 64 + 2 * (14 * B - 1) + B });
  });

  it("a prefix found nowhere is computed: without the disk tier B misses the host and prefills all its tokens at once", () => {
    const sim = simulateServing({ ...base, hostTier: { blocks: 4 } });
    expect(sim.requests[3]).toMatchObject({ prefixHitTokens: 0, hostHitTokens: 0, matchedPrefixBlocks: 0 });
    expect(sim.requests[3]!.diskHitTokens).toBeUndefined();
    const first = sim.iterations.find((i) => i.start >= 30)!;
    expect(first.start).toBe(30);
    expect(first.prefillTokens).toBe(4 * B);
    expect(first.diskBlocksCached).toBeUndefined();
    expect(sim.summary.diskTier).toBeNull();
    expect(sim.summary.tokens.diskHit).toBe(0);
  });

  it("layer-wise loads pipeline only the last hop: the batch ends at max(first layer + compute, last layer + one layer's compute) after the read", () => {
    const whole = simulateServing({ ...base, hostTier: { blocks: 4, disk: { blocks: 64 } } });
    const layerwise = simulateServing({ ...base, hostTier: { blocks: 4, loadOverlap: "layerwise", disk: { blocks: 64 } } });
    const d = whole.iterations.find((i) => i.start >= 30)!.duration;
    const batch = layerwise.iterations.find((i) => i.start >= 30)!;
    expect(batch.start).toBe(30);
    const read = 30 + nvme4.read.latencyS + (3 * BLOCK_BYTES) / nvme4.read.bytesPerS;
    const hop = (3 * BLOCK_BYTES) / pcie4.bytesPerS;
    const ready = read + pcie4.latencyS + hop;
    const firstLayer = ready - (hop * (model.layers - 1)) / model.layers;
    expect(batch.duration).toBeCloseTo(Math.max(firstLayer + d, ready + d / model.layers) - 30, 12);
  });

  it("write-back keeps what the host evicts; write-through copies what enters the host, so a small disk holds newer blocks and loses A", () => {
    // A 13-block disk: write-back receives A's 4 blocks and C's first 9 evicted from the host;
    // write-through receives A's 4, then the 13 of C entering the host, which push A out.
    const run = (offload: "write-back" | "write-through") => simulateServing({ ...base, hostTier: { blocks: 4, disk: { blocks: 13, offload } } });
    const back = run("write-back");
    const through = run("write-through");
    expect(back.requests[3]).toMatchObject({ diskHitTokens: 3 * B, matchedPrefixBlocks: 4 });
    expect(through.requests[3]).toMatchObject({ diskHitTokens: 0, hostHitTokens: 0, matchedPrefixBlocks: 0 });
    expect(through.summary.diskTier!.offload).toBe("write-through");
    // Before D (20 s) the host evicted nothing: write-back wrote nothing to disk, write-through A's 4 blocks as they entered.
    const writtenBefore20 = (sim: typeof back) => sim.iterations.filter((i) => i.start < 20).reduce((n, i) => n + i.bytesToDisk!, 0);
    expect(writtenBefore20(back)).toBe(0);
    expect(writtenBefore20(through)).toBe(4 * BLOCK_BYTES);
  });

  it("if-faster counts the disk's read: over 400 Gb/s RDMA a long prefix loads, over an NVMe drive computing it is faster, and TTFT is never worse", () => {
    // A's 64 blocks go down when C fills the GPU: the host keeps 4 of them, the disk the rest.
    const requests = [request(0, 1, 64), request(10, 2, 74), request(20, 1, 64)];
    const run = (link: "nvme4" | "rdma400", load: "always" | "if-faster") => simulateServing({
      requests, model, gpu, kvBlocks: 75, blockSize: B, maxNumSeqs: 4, hostTier: { blocks: 4, load, disk: { blocks: 256, link } },
    }).requests[2]!;
    const loaded = run("rdma400", "if-faster");
    expect(loaded).toEqual(run("rdma400", "always"));
    // The GPU kept one block; the next 4 come from the host, the disk's after them, all but the last token's block.
    expect(loaded).toMatchObject({ prefixHitTokens: B, hostHitTokens: 4 * B, diskHitTokens: 58 * B, matchedPrefixBlocks: 64 });
    // Over NVMe the read of 58 blocks (116 MiB at 7 GB/s, then the hop over PCIe) takes longer than computing them.
    const always = run("nvme4", "always");
    expect(always.diskHitTokens).toBe(58 * B);
    const computed = run("nvme4", "if-faster");
    expect(computed).toMatchObject({ hostHitTokens: 0, diskHitTokens: 0, matchedPrefixBlocks: 64 });
    expect(computed.ttft).toBeLessThan(always.ttft);
  });

  it("a larger disk tier never lowers the hits, only adds to the host's, and never changes what the GPU finds (Mooncake's trace, LRU)", () => {
    const trace = readServingTrace("tests/fixtures/mooncake/synthetic_trace.jsonl").slice(0, 1500);
    const options: SimulateServingOptions = { requests: trace, model, gpu, kvBlocks: 400, blockSize: 512, maxNumSeqs: 1 };
    const gpuOnly = simulateServing(options).summary.prefixHitTokens;
    const hostOnly = simulateServing({ ...options, hostTier: { blocks: 1000 } }).summary;
    const prompt = trace.reduce((n, r) => n + r.prompt, 0);
    let last = hostOnly.prefixHitTokens + hostOnly.hostTier!.hitTokens;
    for (const blocks of [200, 1000, 3000, 9000]) {
      const s = simulateServing({ ...options, hostTier: { blocks: 1000, disk: { blocks } } }).summary;
      expect(s.prefixHitTokens, `${blocks} disk blocks`).toBe(gpuOnly);
      const total = s.prefixHitTokens + s.hostTier!.hitTokens + s.diskTier!.hitTokens;
      expect(total, `${blocks} disk blocks`).toBeGreaterThanOrEqual(last);
      // Bytes add up: every disk hit token came up in a whole block, read once and hopped once.
      expect(s.diskTier!.loadedBlocks).toBe(s.diskTier!.hitTokens / 512);
      expect(s.diskTier!.bytesFromDisk).toBe(s.diskTier!.loadedBlocks * 512 * kvBytesPerToken(model));
      expect(s.hostTier!.loadedBlocks).toBe((s.hostTier!.hitTokens + s.diskTier!.hitTokens) / 512);
      // One request at a time never preempts: every prompt token was found on the GPU, loaded from the host or disk, or prefilled once.
      expect(s.preemptions).toBe(0);
      expect(s.tokens).toEqual({ prompt, gpuHit: s.prefixHitTokens, hostHit: s.hostTier!.hitTokens, diskHit: s.diskTier!.hitTokens, prefilled: prompt - total });
      last = total;
    }
    expect(last).toBeGreaterThan(hostOnly.prefixHitTokens + hostOnly.hostTier!.hitTokens);
  });

  it("keeps every invariant after every iteration under random disk tiers: one copy per hash per tier, capacities, links' bytes and time, and its clock only moves forward", () => {
    const requests = tierTestRequests(5);
    // A seeded draw of configurations: sizes, offload modes, links, policies per tier, overlaps, preemptions, cache models.
    let state = 12345;
    const draw = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    const links = Object.values(DISK_LINKS);
    let diskLoads = 0;
    for (let k = 0; k < 16; k++) {
      const policy = BLOCK_POLICIES[draw(BLOCK_POLICIES.length)]!;
      const hostPolicy = draw(2) ? BLOCK_POLICIES[draw(BLOCK_POLICIES.length)]! : undefined;
      const diskPolicy = draw(2) ? BLOCK_POLICIES[draw(BLOCK_POLICIES.length)]! : undefined;
      const link = links[draw(links.length)]!;
      const cacheModel = draw(3) === 0 ? TimedCacheModel.replay : TimedCacheModel.vllm;
      const label = `case ${k}: GPU ${policy}, host ${hostPolicy ?? "the GPU's"}, disk ${diskPolicy ?? "the host's"}`;
      // belady is given the trace's future, as simulate.ts gives it.
      const future = [policy, hostPolicy, diskPolicy].some((name) => name !== undefined && policyInfo(name).future)
        ? requestFuture(requests, requests.map((_, i) => i), B, cacheModel === TimedCacheModel.replay, true, "eviction")
        : undefined;
      const engine = new TimedEngine();
      engine.start({
        scheduler: TimedScheduler.vllm, kvBlocks: 300, blockSize: B, maxNumSeqs: 24, maxBatchedTokens: 512, chunkSize: 512, watermarkBlocks: 0,
        prefixCaching: true, maxBlocksPerRequest: 300, timeModel: rooflineTimeModel(model, gpu).engine!, eviction: blockEviction(policy), seed: k, keepGaps: true,
        hostTier: {
          blocks: 20 + draw(200), offload: draw(2) ? TimedOffload.whenFull : TimedOffload.onEviction, blockBytes: BLOCK_BYTES, linkBytesPerS: 25e9, linkLatencyS: 1e-5,
          loadLayers: draw(2) ? model.layers : 0, swapPreemption: draw(2) === 1, loadIfFaster: draw(3) === 0, ...(hostPolicy ? { eviction: blockEviction(hostPolicy) } : {}),
          disk: {
            blocks: 1 + draw(800), offload: draw(2) ? TimedOffload.whenFull : TimedOffload.onEviction, read: link.read, write: link.write,
            ...(diskPolicy ? { eviction: blockEviction(diskPolicy) } : {}),
          },
        },
        cacheModel, future,
      });
      runCheckingInvariants(engine, requests, label);
      const c = engine.hostCounters();
      // Every block staged in the host was read from disk first, and every disk block loaded crossed the GPU link too.
      expect(c.stagedBlocks, label).toBeLessThanOrEqual(c.diskLoadedBlocks);
      expect(c.diskLoadedBlocks, label).toBeLessThanOrEqual(c.loadedBlocks);
      diskLoads += c.diskLoadedBlocks;
    }
    expect(diskLoads).toBeGreaterThan(0);
  });

  it("iteration rows report each link's bytes since the last row, never faster than the link, adding up to the summary's", () => {
    const trace = readServingTrace("tests/fixtures/mooncake/synthetic_trace.jsonl").slice(0, 800);
    const sim = simulateServing({ requests: trace, model, gpu, kvBlocks: 400, blockSize: 512, maxNumSeqs: 8, hostTier: { blocks: 500, disk: { blocks: 4000 } } });
    const disk = sim.summary.diskTier!;
    let lastEnd = 0;
    let up = 0;
    let down = 0;
    for (const i of sim.iterations) {
      const end = i.start + i.duration;
      expect(i.bytesFromDisk!).toBeLessThanOrEqual(nvme4.read.bytesPerS * (end - lastEnd) * (1 + 1e-9));
      expect(i.bytesToDisk!).toBeLessThanOrEqual(nvme4.write.bytesPerS * (end - lastEnd) * (1 + 1e-9));
      expect(i.diskBlocksCached!).toBeLessThanOrEqual(4000);
      up += i.bytesFromDisk!;
      down += i.bytesToDisk!;
      lastEnd = end;
    }
    // Every read ends before its request computes; a write may still be under way after the last iteration.
    expect(up).toBeCloseTo(disk.bytesFromDisk, 0);
    expect(down).toBeLessThanOrEqual(disk.bytesToDisk);
    expect(disk.bytesFromDisk).toBeGreaterThan(0);
  });

  it("is refused where it cannot be: a bad size, link, offload or policy, naming the field", () => {
    const host = (disk: object) => () => simulateServing({ ...base, hostTier: { blocks: 4, disk: { blocks: 8, ...disk } } });
    expect(host({ blocks: 0 })).toThrow(/disk tier: blocks must be a positive integer, got 0/);
    expect(host({ link: "nvme9" })).toThrow(/disk tier: unknown link "nvme9" \(nvme4, nvme5, rdma100, rdma400\)/);
    expect(host({ link: { bytesPerS: 0, latencyS: 0 } })).toThrow(/disk tier: the link needs a positive bandwidth/);
    expect(host({ offload: "sometimes" })).toThrow(/disk tier: offload must be write-back or write-through/);
    expect(host({ eviction: "nope" })).toThrow(/disk tier: eviction: unknown or unsupported block eviction policy "nope"/);
    expect(host({ blocks: 2 ** 21 + 1 })).toThrow(/disk tier: at most 2,097,152 blocks/);
    // Given separately per direction, or one link for both.
    const split = simulateServing({ ...base, hostTier: { blocks: 4, disk: { blocks: 64, link: { read: { bytesPerS: 1e9, latencyS: 0 }, write: { bytesPerS: 2e9, latencyS: 0 } } } } });
    expect(split.summary.diskTier!.link).toEqual({ read: { bytesPerS: 1e9, latencyS: 0 }, write: { bytesPerS: 2e9, latencyS: 0 } });
    const one = simulateServing({ ...base, hostTier: { blocks: 4, disk: { blocks: 64, link: { bytesPerS: 3e9, latencyS: 1e-5 } } } });
    expect(one.summary.diskTier!.link).toEqual({ read: { bytesPerS: 3e9, latencyS: 1e-5 }, write: { bytesPerS: 3e9, latencyS: 1e-5 } });
  });

  it("belady on the disk tier reads the trace's future: it finds far more there than lru on Mooncake, the GPU finding the same; a stream and a fleet are refused, naming the field", () => {
    const trace = readServingTrace("tests/fixtures/mooncake/synthetic_trace.jsonl").slice(0, 1500);
    const run = (eviction: string) => simulateServing({ requests: trace, model, gpu, kvBlocks: 400, blockSize: 512, maxNumSeqs: 1, hostTier: { blocks: 500, disk: { blocks: 1500, eviction } } }).summary;
    const lru = run("lru");
    const belady = run("belady");
    expect(belady.diskTier!.eviction).toBe("belady");
    expect(belady.prefixHitTokens).toBe(lru.prefixHitTokens);
    expect(belady.diskTier!.hitTokens).toBeGreaterThan(2 * lru.diskTier!.hitTokens);
    const options = { model, gpu, kvBlocks: 400, blockSize: 512, hostTier: { blocks: 500, disk: { blocks: 1500, eviction: "belady" } } };
    expect(() => simulateServingStream({ ...options, requests: trace.values() }, { request: () => {}, iteration: () => {} })).toThrow(/^disk tier: eviction: the trace's future is unknown in a stream of requests/);
    expect(() => simulateFleet({ ...options, requests: trace, instances: 2, router: "round-robin" })).toThrow(/^disk tier: eviction: belady needs the next use of each request's blocks on its instance, which a fleet does not know/);
  });

  it("each instance of a fleet has its own disk tier, summed in the fleet's summary", () => {
    const trace = readServingTrace("tests/fixtures/mooncake/synthetic_trace.jsonl").slice(0, 400);
    const sim = simulateFleet({ requests: trace, model, gpu, kvBlocks: 400, blockSize: 512, maxNumSeqs: 8, instances: 2, router: "kv-aware", hostTier: { blocks: 300, disk: { blocks: 3000 } } });
    const [a, b] = sim.instances.map((s) => s.diskTier!);
    expect(sim.fleet.diskTier!.hitTokens).toBe(a!.hitTokens + b!.hitTokens);
    expect(sim.fleet.diskTier!.loadedBlocks).toBe(a!.loadedBlocks + b!.loadedBlocks);
    expect(sim.fleet.diskTier!.hitTokens).toBeGreaterThan(0);
  });

  describe("kvsim serving simulate and sweeps", () => {
    const sweep = mooncakeSweeps("kvsim-disk-sweep-");
    const args = ["serving", "simulate", "--trace", "tests/fixtures/mooncake/synthetic_trace.jsonl", "--model", "llama-3-8b", "--gpu", "h100-sxm",
      "--kv-blocks", "400", "--block-size", "512", "--max-num-seqs", "8"];

    it("refuses a disk tier without a host tier, a bad link or policy, disk flags without --disk-blocks and belady in a fleet, with exit 2 and the flag's name", async () => {
      for (const [extra, message] of [
        [["--disk-blocks", "100"], /--disk-blocks puts a disk tier below the host tier: give --host-blocks/],
        [["--host-blocks", "100", "--disk-blocks", "100", "--disk-link", "nvme9"], /--disk-link must be nvme4, nvme5, rdma100, rdma400 or GB\/s in \(0, 10000\], got "nvme9"/],
        [["--host-blocks", "100", "--disk-blocks", "100", "--disk-link", "0"], /--disk-link must be/],
        [["--host-blocks", "100", "--disk-offload", "write-through"], /--disk-link, --disk-offload, --disk-eviction and --disk-shared shape a disk tier: give --disk-blocks/],
        [["--host-blocks", "100", "--disk-blocks", "0"], /--disk-blocks must be an integer from 1 to 2,097,152/],
        [["--host-blocks", "100", "--disk-blocks", "100", "--disk-eviction", "nope"], /--disk-eviction/],
        [["--host-blocks", "100", "--disk-blocks", "100", "--disk-eviction", "belady", "--instances", "2"], /disk tier: eviction: belady needs the next use of each request's blocks on its instance/],
      ] as const) {
        const r = await runCli([...args, ...extra]);
        expect(r.code, extra.join(" ")).toBe(2);
        expect(r.stderr, extra.join(" ")).toMatch(message);
      }
    });

    it("reports the disk tier in its table, its JSON, its files' last columns and the tiers' chart", async () => {
      const disk = [...args, "--host-blocks", "1000", "--disk-blocks", "8000", "--disk-link", "nvme5", "--disk-offload", "write-through", "--disk-eviction", "fifo"];
      const text = await runCli(disk);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/loaded from disk \d+, prefilled/);
      expect(text.stdout).toMatch(/disk tier \(8000 blocks, write-through, fifo\): \d+ prompt tokens loaded through the host instead of computed/);
      const json = JSON.parse((await runCli([...disk, "--json"])).stdout);
      expect(json.diskTier).toMatchObject({ blocks: 8000, offload: "write-through", eviction: "fifo", link: { read: DISK_LINKS.nvme5.read, write: DISK_LINKS.nvme5.write } });
      expect(json.diskTier.hitTokens).toBeGreaterThan(0);
      expect(json.tokens.diskHit).toBe(json.diskTier.hitTokens);
      const out = mkdtempSync(join(tmpdir(), "kvsim-disk-out-"));
      try {
        expect((await runCli([...disk, "--out", out])).code).toBe(0);
        const iterations = readFileSync(join(out, "iterations.csv"), "utf8").split("\n");
        expect(iterations[0]).toMatch(/,host_blocks_cached,bytes_to_host,bytes_from_host,disk_blocks_cached,bytes_to_disk,bytes_from_disk$/);
        expect(iterations[1]!.split(",")).toHaveLength(13);
        expect(readFileSync(join(out, "requests.csv"), "utf8").split("\n")[0]).toMatch(/,matched_prefix_blocks,disk_hit_tokens$/);
        const svg = readFileSync(join(out, "host-tier.svg"), "utf8");
        for (const t of ["Host and disk tiers over time", "disk → host (loads)", "host → disk (offloads)", "blocks cached (share of the tier)"]) expect(svg).toContain(t);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });

    it("sweeps take diskBlocks, diskLink, diskOffload and diskEviction per scheduler entry, and refuse a disk tier without a host tier", async () => {
      const entry = { name: "vllm", blockSize: 512, hostBlocks: 500 };
      const ok = await sweep([
        { ...entry, label: "host" }, { ...entry, diskBlocks: 2000, label: "disk 2000" }, { ...entry, diskBlocks: 8000, diskLink: "rdma100", diskEviction: "s3fifo", label: "disk 8000" },
      ]);
      expect(ok.code, ok.stderr).toBe(0);
      const rows = ok.rows();
      expect(rows.map((r) => r.scheduler)).toEqual(["host", "disk 2000", "disk 8000"]);
      expect(rows[0]!.metrics["diskTier.hitTokens"]).toBeUndefined();
      expect(rows[1]!.metrics["diskTier.hitTokens"]).toBeGreaterThan(0);
      expect(rows[2]!.metrics["diskTier.hitTokens"]).toBeGreaterThan(0);
      const noHost = await sweep([{ name: "vllm", blockSize: 512, diskBlocks: 100 }]);
      expect(noHost.code).toBe(2);
      expect(noHost.stderr).toMatch(/schedulers\.0: diskBlocks puts a disk tier below the host tier: give hostBlocks/);
      const noDisk = await sweep([{ ...entry, diskEviction: "fifo" }]);
      expect(noDisk.code).toBe(2);
      expect(noDisk.stderr).toMatch(/schedulers\.0: diskLink, diskOffload, diskEviction and diskShared shape a disk tier: give diskBlocks/);
    });
  });
});
