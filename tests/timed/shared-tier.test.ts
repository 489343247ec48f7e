import { describe, expect, it } from "vitest";
import { TimedStop } from "../../assembly/abi/timed.js";
import { DISK_LINKS } from "../../src/timed/disk-tier.js";
import { simulateFleet, type FleetOptions } from "../../src/timed/fleet.js";
import { HOST_LINKS } from "../../src/timed/host-tier.js";
import { rooflineTimeModel } from "../../src/timed/roofline.js";
import { simulateServing } from "../../src/timed/simulate.js";
import { readServingTrace } from "../../src/timed/trace-formats.js";
import { BLOCK_POLICIES, blockEviction } from "../../src/wasm/block-eviction.js";
import { SharedTierStore } from "../../src/wasm/shared-tier.js";
import { TimedEngine, TimedInvariant, TimedOffload, TimedScheduler } from "../../src/wasm/timed.js";
import { runCli } from "../helpers/cli.js";
import { mooncakeSweeps } from "../helpers/mooncake-sweep.js";
import { blockRequest as request, B, BLOCK_BYTES, gpu, model } from "../helpers/tier-deployment.js";
import { tierTestRequests } from "../helpers/tier-invariants.js";

const pcie4 = HOST_LINKS.pcie4;
const nvme4 = DISK_LINKS.nvme4;

describe("a disk tier shared by a fleet's instances (docs/model.md)", () => {
  // Round-robin: A goes to instance 0, which writes its blocks through host memory to the store;
  // the same prompt at 10 s goes to instance 1, whose GPU and host have never seen it.
  const base: FleetOptions = {
    requests: [request(0, 1, 4), request(10, 1, 4)], model, gpu, kvBlocks: 14, blockSize: B, maxNumSeqs: 4, instances: 2, router: "round-robin",
    hostTier: { blocks: 4, offload: "write-through", disk: { blocks: 64, offload: "write-through", shared: true } },
  };

  it("an instance finds what another wrote: read from the store over its own link into host memory, then over its GPU link, and not computed", () => {
    const sim = simulateFleet(base);
    expect(sim.requests[1]).toMatchObject({ instance: 1, prefixHitTokens: 0, hostHitTokens: 0, diskHitTokens: 3 * B, matchedPrefixBlocks: 4 });
    const read = 10 + nvme4.read.latencyS + (3 * BLOCK_BYTES) / nvme4.read.bytesPerS;
    const loaded = read + pcie4.latencyS + (3 * BLOCK_BYTES) / pcie4.bytesPerS;
    // The request is scheduled at once; its prefill starts when both transfers are done.
    expect(sim.requests[1]!.firstToken).toBeGreaterThan(loaded);
    expect(sim.requests[1]!.firstToken).toBeLessThan(loaded + 0.01);
    // Instance 0 wrote the 4 blocks; instance 1 found them there and wrote none (a store's put of a key it holds is a no-op).
    const [a, b] = sim.instances.map((s) => s.diskTier!);
    expect(a).toMatchObject({ shared: true, blocks: 64, offloadedBlocks: 4, loadedBlocks: 0 });
    expect(b).toMatchObject({ shared: true, offloadedBlocks: 0, loadedBlocks: 3, hitTokens: 3 * B });
    expect(sim.fleet.diskTier).toMatchObject({ shared: true, blocks: 64, offloadedBlocks: 4, hitTokens: 3 * B });
  });

  it("without sharing, each instance has its own disk tier and instance 1 computes the prompt", () => {
    const sim = simulateFleet({ ...base, hostTier: { ...base.hostTier!, disk: { ...base.hostTier!.disk!, shared: false } } });
    expect(sim.requests[1]).toMatchObject({ instance: 1, diskHitTokens: 0, matchedPrefixBlocks: 0 });
    expect(sim.fleet.diskTier).toMatchObject({ shared: false, hitTokens: 0 });
  });

  it("sees the instances' reads and writes in time order: a prompt written at 10.003 s is found by the instance admitting it at 10.016 s, not the reverse", () => {
    // Instance 0 is busy with a 60-block prefill until about 10.016 s, so C (10.0 s) waits; instance 1
    // admits D, the same prompt, at about 10.003 s, once its one-block request is done. D must
    // compute the prompt and write it; C, admitted later, loads it. Run one instance after the
    // other, the store would show D what C writes later in simulated time.
    const sim = simulateFleet({
      ...base, requests: [request(9.99, 2, 60), request(9.995, 9, 1), request(10.0, 1, 4), request(10.001, 1, 4)], kvBlocks: 200,
      hostTier: { blocks: 100, offload: "write-through", disk: { blocks: 500, offload: "write-through", shared: true } },
    });
    const [, , c, d] = sim.requests;
    expect([c!.instance, d!.instance]).toEqual([0, 1]);
    expect(d!.firstScheduled).toBeLessThan(c!.firstScheduled);
    expect(d).toMatchObject({ diskHitTokens: 0, matchedPrefixBlocks: 0 });
    expect(c).toMatchObject({ diskHitTokens: 3 * B, matchedPrefixBlocks: 4 });
  });

  it("holds one copy per hash within its capacity, evicting by its own policy, while two engines share it; every engine invariant holds after every iteration", () => {
    const link = DISK_LINKS.rdma100;
    let reads = 0;
    for (const [k, policy] of BLOCK_POLICIES.filter((p) => p !== "belady").entries()) {
      const capacity = 50 + 97 * k;
      const store = new SharedTierStore(capacity, blockEviction(policy), k);
      const engines = [0, 1].map((i) => {
        const engine = new TimedEngine();
        engine.start({
          scheduler: TimedScheduler.vllm, kvBlocks: 300, blockSize: B, maxNumSeqs: 24, maxBatchedTokens: 512, chunkSize: 512, watermarkBlocks: 0,
          prefixCaching: true, maxBlocksPerRequest: 300, timeModel: rooflineTimeModel(model, gpu).engine!, eviction: blockEviction("lru"), seed: k, keepGaps: false,
          hostTier: {
            blocks: 40 + 30 * i, offload: i ? TimedOffload.whenFull : TimedOffload.onEviction, blockBytes: BLOCK_BYTES, linkBytesPerS: 25e9, linkLatencyS: 1e-5,
            loadLayers: 0, swapPreemption: i === 1, loadIfFaster: false,
            disk: { blocks: capacity, offload: k % 2 ? TimedOffload.whenFull : TimedOffload.onEviction, read: link.read, write: link.write, eviction: blockEviction(policy), shared: true },
          },
          sharedTier: store,
        });
        // Both engines serve the same sessions' traffic: what one offloads, the other can find.
        const requests = tierTestRequests(3);
        engine.feed(requests, requests.map((_, j) => j));
        engine.endInput();
        return engine;
      });
      const label = `store of ${capacity} blocks evicting by ${policy}`;
      const running = new Set(engines);
      while (running.size > 0) {
        for (const engine of running) {
          const stop = engine.run(1);
          engine.rows();
          engine.drained();
          if (stop === TimedStop.done) running.delete(engine);
          else expect(engine.check(), label).toBe(TimedInvariant.ok);
          store.check();
          expect(store.count, label).toBeLessThanOrEqual(capacity);
        }
      }
      const [a, b] = engines.map((e) => e.hostCounters());
      // Every block the store holds was written by one of them, once.
      expect(a!.diskOffloadedBlocks + b!.diskOffloadedBlocks, label).toBeGreaterThanOrEqual(store.count);
      expect(a!.stagedBlocks, label).toBeLessThanOrEqual(a!.diskLoadedBlocks);
      reads += a!.diskLoadedBlocks + b!.diskLoadedBlocks;
    }
    expect(reads).toBeGreaterThan(0);
  });

  it("on Mooncake's trace behind round-robin, one store finds more than the same blocks split into a disk tier per instance", () => {
    const requests = readServingTrace("tests/fixtures/mooncake/synthetic_trace.jsonl").slice(0, 600);
    const run = (shared: boolean) => simulateFleet({
      requests, model, gpu, kvBlocks: 300, blockSize: 512, maxNumSeqs: 8, instances: 4, router: "round-robin",
      hostTier: { blocks: 200, disk: { blocks: shared ? 4000 : 1000, link: "rdma100", shared } },
    }).fleet;
    const shared = run(true);
    const own = run(false);
    expect(shared.diskTier!.hitTokens).toBeGreaterThan(own.diskTier!.hitTokens);
    expect(shared.tokens.gpuHit + shared.tokens.hostHit + shared.tokens.diskHit).toBeGreaterThan(own.tokens.gpuHit + own.tokens.hostHit + own.tokens.diskHit);
  });

  it("is refused outside a fleet, and on the CLI without --instances or --disk-blocks, with exit 2 and the flag's name", async () => {
    const { instances: _, router: __, ...single } = base;
    expect(() => simulateServing(single)).toThrow(/^disk tier: shared is one store for a fleet's instances: give instances \(--instances\)/);
    const args = ["serving", "simulate", "--trace", "tests/fixtures/mooncake/synthetic_trace.jsonl", "--model", "llama-3-8b", "--gpu", "h100-sxm", "--kv-blocks", "400", "--block-size", "512"];
    for (const [extra, message] of [
      [["--host-blocks", "100", "--disk-blocks", "100", "--disk-shared"], /--disk-shared is one store for a fleet's instances: give --instances/],
      [["--host-blocks", "100", "--disk-shared", "--instances", "2"], /--disk-link, --disk-offload, --disk-eviction and --disk-shared shape a disk tier: give --disk-blocks/],
    ] as const) {
      const r = await runCli([...args, ...extra]);
      expect(r.code, extra.join(" ")).toBe(2);
      expect(r.stderr, extra.join(" ")).toMatch(message);
    }
    const capacity = await runCli(["serving", "capacity", ...args.slice(2), "--slo-ttft-ms", "2000", "--host-blocks", "100", "--disk-blocks", "100", "--disk-shared"]);
    expect(capacity.code).toBe(2);
    expect(capacity.stderr).toMatch(/--disk-shared is one store for a fleet's instances; serving capacity runs one instance/);
    const r = await runCli([...args, "--max-num-seqs", "8", "--host-blocks", "100", "--disk-blocks", "2000", "--disk-shared", "--instances", "2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).fleet.diskTier).toMatchObject({ shared: true, blocks: 2000 });
  });

  const sweep = mooncakeSweeps("kvsim-shared-sweep-");
  it("sweeps take diskShared per scheduler entry with instances, and refuse it without", async () => {
    // The same disk blocks in all: 1,000 per instance, or one store of 2,000.
    const entry = { name: "vllm", blockSize: 512, hostBlocks: 200, diskLink: "rdma100" };
    const ok = await sweep([{ ...entry, diskBlocks: 1000, label: "private" }, { ...entry, diskBlocks: 2000, diskShared: true, label: "shared" }], { instances: [2] });
    expect(ok.code, ok.stderr).toBe(0);
    const [own, shared] = ok.rows();
    expect([own!.scheduler, shared!.scheduler]).toEqual(["private", "shared"]);
    expect(shared!.metrics["diskTier.hitTokens"]).toBeGreaterThan(own!.metrics["diskTier.hitTokens"]!);
    const single = await sweep([{ ...entry, diskBlocks: 2000, diskShared: true }]);
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/schedulers\.0: diskShared is one store for a fleet's instances: give instances/);
  });
});
