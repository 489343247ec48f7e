/** Piscina worker of `/api/simulate`: replays and headless episodes run here, so the server's own thread keeps answering. */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { runSimulateTask } from "./simulate-run.js";

/**
 * A run takes seconds of CPU, and on a busy machine the server's own thread would queue behind it
 * for a core: this thread runs at a lower priority (nice 15). Linux sets priority per thread, by
 * the thread's id; elsewhere the thread keeps its priority.
 */
function lowerThisThreadsPriority(): void {
  let threadId: number;
  try {
    threadId = Number(readlinkSync("/proc/thread-self").split("/").pop());
  } catch {
    return; // not Linux
  }
  setPriority(threadId, 15);
}

lowerThisThreadsPriority();

export default runSimulateTask;
