import type { Agent, AgentEvent, RunResult } from "@gemma-coder/core";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";
import { toJsonLine } from "../render/json-lines.js";
import { createRunRecorder, LiveView, type RunRecord } from "../render/live-view.js";
import type { Invocation } from "./invocation.js";

/** How the agent is started: a new task, or a session continued. */
export type Start =
  | { kind: "run"; task: string }
  | { kind: "resume"; sessionId: string; message: string | undefined };

/** How a run is shown. */
export interface DriveOptions {
  /** Animate the live view when stdout is a terminal. */
  live: boolean;
  /** A note shown before the run (changes will be refused). */
  refuseNote?: string | undefined;
  /** Suggest `--resume` after the run (not for the demo). Default true. */
  continueHint?: boolean;
}

/**
 * The `--json` line of the `done` event, with the files the run changed (as the summary
 * lists them): `changedFiles: [{ path, how: "created" | "changed" }]`.
 */
function withChangedFiles(event: AgentEvent, record: RunRecord): object {
  const changedFiles = [...record.changed].map(([file, how]) => ({ path: file, how }));
  return { ...event, changedFiles };
}

/**
 * Runs the agent with the live view or JSON lines and turns the result into an exit code.
 *
 * @param inv - The invocation.
 * @param agent - The agent, ready.
 * @param start - A new task or a session to continue.
 * @param options - How to show it.
 * @returns The exit code.
 */
export async function driveAgent(
  inv: Invocation,
  agent: Agent,
  start: Start,
  options: DriveOptions,
): Promise<ExitCode> {
  const { args, io } = inv;
  const signal = inv.signal;
  const live = options.live && io.stdout.isTTY === true && !args.json;
  if (!args.json) {
    inv.view = new LiveView({
      stdout: io.stdout,
      stderr: io.stderr,
      colors: inv.colors,
      errColors: inv.errColors,
      live: live && io.stderr.isTTY === true,
      verbose: args.verbose,
    });
  }
  if (options.refuseNote) inv.report.note(options.refuseNote);

  // What the run did, for the hints after it, whatever the output mode.
  const recorder = createRunRecorder();
  let turns = 0;
  let result: RunResult | undefined;
  // One subscription feeds both output modes, each event as it happens, so a tool line is
  // on screen before the approval question that tool asks.
  const view = inv.view;
  const unsubscribe = agent.onEvent((event) => {
    recorder.observe(event);
    if (event.type === "turn-start") turns++;
    // `done` also lists the files the run changed, so a script need not rebuild it.
    if (args.json) {
      const line = event.type === "done" ? withChangedFiles(event, recorder.record) : event;
      io.stdout.write(`${toJsonLine(line)}\n`);
    } else view?.handle(event);
  });
  try {
    result =
      start.kind === "run"
        ? await agent.run(start.task, { signal })
        : await agent.resume(start.sessionId, { message: start.message, signal });
  } catch (error) {
    return inv.report.failWith(error);
  } finally {
    unsubscribe();
  }
  if (!result) return EXIT_CODES.failed;
  const code = inv.report.refusedCode(result, recorder.record) ?? inv.report.finish(result, turns);
  if (code !== EXIT_CODES.usage) {
    inv.report.sessionHints(result, recorder.record, options.continueHint !== false);
  }
  return code;
}
