import { untilAborted } from "../errors/gemma-coder-error.js";
import { formatToolResult, type ToolResult } from "../protocol/tool-result.js";
import type { FileChange } from "../session/checkpointer.js";
import type { AnyTool } from "../tools/define-tool.js";
import { DONE_TOOL_NAME } from "../tools/done-tool.js";
import { askApproval } from "./approve-call.js";
import { errorMessage } from "./error-message.js";
import type { CheckedCall } from "./interpret-reply.js";
import { toolResultMessage } from "./native-calls.js";
import type { Run } from "./run-context.js";
import { RunAborted, throwIfAborted } from "./run-signal.js";
import { CONTINUE, stopRun, type TurnOutcome } from "./turn-outcome.js";

/**
 * The `executing-tool` state: the call is recorded (before anything runs, so a transcript
 * cut short shows a call in flight), approved, checkpointed, run, and its result goes back
 * to the model. A successful `done` ends the run.
 *
 * @param run - The run.
 * @param call - The validated call.
 * @returns `continue`, or the `done` stop.
 */
export async function executeTool(run: Run, call: CheckedCall): Promise<TurnOutcome> {
  const { tool, args, step } = call;
  run.setState("executing-tool");
  await run.journal.toolCall(step, tool.name, args, asksApproval(run, tool), call.native);
  const started = run.settings.now();
  const result = await callTool(run, call);
  throwIfAborted(run.signal);
  await run.journal.toolResult(step, tool.name, result, run.settings.now() - started);
  if (tool.name === DONE_TOOL_NAME && result.ok) {
    run.summary = String(result.value);
    run.messages.push(
      toolResultMessage(formatToolResult(result, { maxChars: run.maxResultChars }), call.native),
    );
    run.setState("done");
    return stopRun("done", "The model called done.");
  }
  // A change to the workspace makes an earlier identical call meaningful again.
  if (result.ok && tool.readOnly !== true) run.repeats.clear();
  run.messages.push(
    toolResultMessage(
      formatToolResult(result, {
        maxChars: run.maxResultChars,
        note: call.notes.length > 0 ? call.notes.join(" ") : undefined,
      }),
      call.native,
    ),
  );
  return CONTINUE;
}

/**
 * Approve, checkpoint, run: nothing with side effects happens before the approval, and a
 * call that may change files runs only once they are checkpointed. A denial or a failed
 * checkpoint becomes the error the model reads.
 */
async function callTool(run: Run, call: CheckedCall): Promise<ToolResult> {
  const { tool, input } = call;
  const denial = await approveCall(run, call);
  if (denial !== undefined) return { ok: false, error: denial };
  const change = fileChange(run, call);
  if (change !== undefined) {
    const problem = await checkpoint(run, change);
    if (problem !== undefined) return { ok: false, error: problem };
  }
  let result: ToolResult;
  try {
    const value = await runTool(tool, input, {
      signal: run.signal,
      runId: run.runId,
      step: call.step,
    });
    result = { ok: true, value };
  } catch (error) {
    if (run.signal.aborted) {
      // Best effort: what an aborted change left is still worth knowing at undo time.
      if (change !== undefined) await afterChange(run, change, { ok: false, error: "aborted" });
      throw new RunAborted(run.signal);
    }
    result = { ok: false, error: errorMessage(error) };
  }
  if (change !== undefined) {
    const problem = await afterChange(run, change, result);
    if (problem) await run.journal.warning("checkpoint", problem, call.step);
  }
  return result;
}

/**
 * Asks the `approve` hook about a call that is not read-only, before anything with side
 * effects (the checkpoint, the tool) happens.
 *
 * @returns `undefined` when the call may run, else the error the model reads.
 */
async function approveCall(run: Run, call: CheckedCall): Promise<string | undefined> {
  const { tool, input } = call;
  const approve = run.options.approve;
  if (approve === undefined || !asksApproval(run, tool)) return undefined;
  try {
    const denial = await askApproval(approve, { tool: tool.name, input }, run.signal);
    await run.journal.approval(call.step, tool.name, denial === undefined);
    return denial;
  } catch (error) {
    if (run.signal.aborted) throw new RunAborted(run.signal);
    throw error;
  }
}

/** Whether a call is put to the `approve` hook before it runs. */
function asksApproval(run: Run, tool: AnyTool): boolean {
  return run.options.approve !== undefined && tool.readOnly !== true;
}

/** The change a call may make, when the agent checkpoints and the tool is not read-only. */
function fileChange(run: Run, call: CheckedCall): FileChange | undefined {
  if (run.options.checkpointer === undefined || call.tool.readOnly === true) return undefined;
  const sessionId = run.journal.sessionId;
  return {
    runId: run.runId,
    ...(sessionId === undefined ? {} : { sessionId }),
    step: call.step,
    tool: call.tool.name,
    args: call.args,
    signal: run.signal,
  };
}

/** Snapshots the files a call may change; returns why the call must not run when that fails. */
async function checkpoint(run: Run, change: FileChange): Promise<string | undefined> {
  try {
    await run.options.checkpointer?.beforeChange(change);
    return undefined;
  } catch (error) {
    if (run.signal.aborted) throw new RunAborted(run.signal);
    const message = `The files this call may change could not be checkpointed (${errorMessage(error)}), so it was not run.`;
    await run.journal.warning("checkpoint", message, change.step);
    return message;
  }
}

/** Tells the checkpointer what a call left; returns a warning instead of throwing. */
async function afterChange(
  run: Run,
  change: FileChange,
  result: ToolResult,
): Promise<string | undefined> {
  const checkpointer = run.options.checkpointer;
  if (!checkpointer?.afterChange) return undefined;
  const { signal: _signal, ...rest } = change;
  try {
    await checkpointer.afterChange({ ...rest, result });
    return undefined;
  } catch (error) {
    return `The state this call left could not be recorded for undo (${errorMessage(error)}).`;
  }
}

/** Runs a tool, but never waits past an abort: a tool that ignores its signal is left behind. */
function runTool(
  tool: AnyTool,
  input: unknown,
  context: { signal: AbortSignal; runId: string; step: number },
): Promise<unknown> {
  const work = Promise.resolve().then(() => tool.execute(input, context));
  // A tool that ignores its signal is left behind rather than holding the run.
  work.catch(() => {});
  return untilAborted(work, context.signal);
}
