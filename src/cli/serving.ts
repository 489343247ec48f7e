import { basename } from "node:path";
import { Command, Option } from "commander";
import { KvsimInputError } from "../errors.js";
import { NPA_TASKS, type NpaTask } from "../envs/serving/npa/constants.js";
import { readNpaRecording, replayNpa } from "../envs/serving/npa/replay.js";
import { gpusCommand, memoryCommand, modelsCommand } from "./serving-hardware.js";
import { ExitStatus } from "./exit-status.js";
import { simulateCommand } from "./serving-simulate.js";
import { capacityCommand } from "./serving-capacity.js";

interface ReplayOptions {
  preset: "npa";
  task?: NpaTask;
  json?: boolean;
}

function taskOf(file: string, given?: NpaTask): NpaTask {
  if (given) return given;
  const found = NPA_TASKS.find((t) => basename(file).includes(t));
  if (!found) throw new KvsimInputError(`${file}: cannot tell the task from the file name; pass --task (${NPA_TASKS.join(", ")})`);
  return found;
}

export function servingCommand(): Command {
  const serving = new Command("serving").description("the serving-level environment (PagedAttention block manager, request traffic) and the timed simulator's models, GPUs and memory plans");
  serving.addCommand(new Command("replay")
    .description("replay a recorded NeuralPagedAttention episode (actions + arrivals) and print every step (simulated)")
    .argument("<file>", "recording: a reset line, step lines {t, action, reward, done, obs, result, arrivals, ctr}, a final line")
    .addOption(new Option("--preset <preset>", "environment preset").choices(["npa"]).default("npa"))
    .addOption(new Option("--task <task>", "task (default: from the file name)").choices([...NPA_TASKS]))
    .option("--json", "one JSON line per step {t, reward, done, obs, ctr}, then {score, cumulative_reward, differing_steps}")
    .addHelpText("after", "\nExit codes: 0 every step matches the recording, 1 some differ, 2 bad input.")
    .action((file: string, opts: ReplayOptions) => {
      // The file first: a missing, empty or unreadable one is reported as such, not as an unknown task.
      const recording = readNpaRecording(file);
      if (recording.steps.length === 0) throw new KvsimInputError(`${file}: no step lines (a recording has a reset line, step lines and a final line)`);
      const task = taskOf(file, opts.task);
      const out = replayNpa(recording, task);
      const mismatches = out.steps.filter((s, i) => {
        const want = recording.steps[i]!;
        return Math.abs(s.reward - want.reward) > 1e-9 * Math.max(1, Math.abs(want.reward)) || s.done !== want.done ||
          s.result !== want.result || JSON.stringify(s.ctr) !== JSON.stringify(want.ctr) || s.obs.some((v, k) => Math.abs(v - want.obs[k]!) > 1e-9);
      });
      if (opts.json) {
        for (const s of out.steps) console.log(JSON.stringify({ t: s.t, reward: s.reward, done: s.done, obs: s.obs, ctr: s.ctr }));
        console.log(JSON.stringify({ score: out.score, cumulative_reward: out.cumulativeReward, differing_steps: mismatches.length }));
      } else {
        console.log(`${file}: ${task}, ${out.steps.length} of ${recording.steps.length} steps replayed; ` +
          `${mismatches.length ? `${mismatches.length} differ from the recording (first: step ${mismatches[0]!.t})` : "every step matches the recording"}`);
        console.log(`score ${out.score} (recorded ${recording.final?.score ?? "–"}), cumulative reward ${out.cumulativeReward} ` +
          `(recorded ${recording.final?.cumulative_reward ?? "–"})`);
      }
      // A parity check that fails is a failed command.
      if (mismatches.length || out.steps.length !== recording.steps.length) throw new ExitStatus(1);
    }));
  serving.addCommand(modelsCommand());
  serving.addCommand(gpusCommand());
  serving.addCommand(memoryCommand());
  serving.addCommand(simulateCommand());
  serving.addCommand(capacityCommand());
  return serving;
}
