import { Command, CommanderError } from "commander";
import { KvsimInputError } from "../errors.js";
import { packageVersion } from "../package-info.js";
import { envsCommand, policiesCommand, scenariosCommand, workloadsCommand } from "./listings.js";
import { ExitStatus } from "./exit-status.js";
import { mrcCommand } from "./mrc.js";
import { prefixReplayCommand } from "./prefix-replay.js";
import { episodeCommand } from "./episode.js";
import { evalCommand } from "./eval.js";
import { runCommand } from "./run.js";
import { serveCommand } from "./serve.js";
import { workerCommand } from "./worker.js";
import { servingCommand } from "./serving.js";
import { sweepCommand } from "./sweep.js";
import { traceCommand } from "./trace.js";
import { tokensCommand } from "./tokens.js";
import { trainCommand } from "./train.js";

/** Exit code for usage and input errors. */
export const EXIT_INPUT = 2;

function program(): Command {
  const root = new Command("kvsim")
    .description("kvsim — a fast, reproducible laboratory for KV-cache memory policies (all figures are simulated)")
    .version(packageVersion(), "-V, --version", "print kvsim's version")
    .showHelpAfterError("(run with --help for usage)");
  for (const cmd of [runCommand(), sweepCommand(), mrcCommand(), prefixReplayCommand(), servingCommand(), episodeCommand(), evalCommand(), trainCommand(), traceCommand(), tokensCommand(), serveCommand(), workerCommand(), policiesCommand(), workloadsCommand(), scenariosCommand(), envsCommand()]) {
    root.addCommand(cmd);
  }
  const prepare = (c: Command): void => {
    c.exitOverride();
    // Every integer option's help says its range, taken from the parser that checks it.
    for (const option of c.options) {
      const range = (option.parseArg as { range?: string } | undefined)?.range;
      if (range && !option.description.includes(range)) option.description += ` (${range})`;
    }
    c.commands.forEach(prepare);
  };
  prepare(root);
  return root;
}

/** Runs the CLI; returns the process exit code (0 ok, 2 usage/input error, 1 internal error). */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit through here with code 0; commander already printed the message.
      return err.exitCode === 0 ? 0 : EXIT_INPUT;
    }
    if (err instanceof ExitStatus) return err.code;
    // By name, not class: commands loaded from dist/src at run time have their own copy of the class.
    if (err instanceof KvsimInputError || (err instanceof Error && err.name === "KvsimInputError")) {
      console.error(`kvsim: ${err.message}`);
      return EXIT_INPUT;
    }
    // An engine abort already says what failed and where, in the engine's own source; a missing
    // or stale engine build says how to rebuild it.
    if (err instanceof Error && (err.name === "EngineAbort" || err.name === "EngineBuildError")) {
      console.error(`kvsim: ${err.message}`);
      return 1;
    }
    console.error(err);
    return 1;
  }
}
