import { TimedCacheModel, TimedConfig, TimedScheduler } from "../abi/timed";
import { Sarathi } from "./sarathi";
import { Scheduler } from "./scheduler";
import { TimeModel } from "./time-model";
import { VidurVllm } from "./vidur-vllm";
import { Vllm } from "./vllm";

/** The block pool's request slots vllm needs: one per seat, and as many again for requests swapped out. */
export function vllmPoolSlots(config: StaticArray<f64>): i32 {
  const seats = <i32>config[TimedConfig.maxNumSeqs];
  return config[TimedConfig.hostBlocks] > 0 && config[TimedConfig.swapPreemption] != 0 ? 2 * seats : seats;
}

/** The scheduler `config` names, on `timeModel`, or null for an unknown id. */
export function schedulerOf(config: StaticArray<f64>, timeModel: TimeModel): Scheduler | null {
  const id = <i32>config[TimedConfig.scheduler];
  const blocks = <i32>config[TimedConfig.kvBlocks];
  const blockSize = <i32>config[TimedConfig.blockSize];
  const seats = <i32>config[TimedConfig.maxNumSeqs];
  const watermark = <i32>config[TimedConfig.watermarkBlocks];
  if (id == TimedScheduler.vllm) {
    const vllm = new Vllm(timeModel, blocks, blockSize, seats, vllmPoolSlots(config), <i32>config[TimedConfig.maxBatchedTokens], config[TimedConfig.prefixCaching] != 0,
      config[TimedConfig.cacheModel] == TimedCacheModel.replay,
    );
    if (config[TimedConfig.hostBlocks] > 0) {
      vllm.addHostTier(
        config[TimedConfig.blockBytes], config[TimedConfig.hostLinkBytesPerS], config[TimedConfig.hostLinkLatencyS], <i32>config[TimedConfig.hostLoadLayers],
      );
      vllm.swapping = config[TimedConfig.swapPreemption] != 0;
      vllm.loadIfFaster = config[TimedConfig.hostLoadIfFaster] != 0;
      if (config[TimedConfig.diskBlocks] > 0) {
        vllm.addDiskTier(
          config[TimedConfig.diskReadBytesPerS], config[TimedConfig.diskReadLatencyS], config[TimedConfig.diskWriteBytesPerS], config[TimedConfig.diskWriteLatencyS],
        );
      }
    }
    return vllm;
  }
  if (id == TimedScheduler.vidurVllm) return new VidurVllm(timeModel, blocks, blockSize, watermark, seats, <i32>config[TimedConfig.maxBatchedTokens]);
  if (id == TimedScheduler.sarathi) return new Sarathi(timeModel, blocks, blockSize, watermark, seats, <i32>config[TimedConfig.chunkSize]);
  return null;
}
