import { parseReply } from "../protocol/parse-reply.js";
import { SPIRAL_NUDGE } from "../protocol/spiral-detector.js";
import { formatToolResult } from "../protocol/tool-result.js";
import type { NativeToolCall } from "../provider/provider.js";
import { assistantContent } from "../session/assistant-message.js";
import type { AnyTool } from "../tools/define-tool.js";
import { describeTool } from "../tools/describe-tool.js";
import {
  assistantTurnMessage,
  interpretNativeCalls,
  NATIVE_NUDGE,
  toolResultMessage,
} from "./native-calls.js";
import { OVERSIZE_HISTORY_CHARS, oversizeFeedback } from "./reply-cap.js";
import type { Run } from "./run-context.js";
import type { StreamedReply } from "./stream-turn.js";
import { CONTINUE, stopRun, type TurnOutcome } from "./turn-outcome.js";
import { formatValidationError } from "./validation-feedback.js";

const NUDGE =
  'Your reply had no tool call. Reply with exactly one call in this form:\n<tool>\n{"name": "TOOL_NAME", "args": {...}}\n</tool>\nIf the task is complete, call done.';

/** A call whose arguments passed the tool's schema, ready for the repeat guard and the tool. */
export interface CheckedCall {
  /** The step of the reply that made it. */
  readonly step: number;
  /** The tool. */
  readonly tool: AnyTool;
  /** The arguments as the model sent them (what events and the transcript show). */
  readonly args: Record<string, unknown>;
  /** The arguments as the schema parsed them (what the tool receives). */
  readonly input: unknown;
  /** Notes for the model, sent with the tool's result. */
  readonly notes: string[];
  /** The native call it came as (the `native` protocol), which its result answers. */
  readonly native: NativeToolCall | undefined;
}

/** What a reply amounts to: a call to run, or the outcome of a reply that had none. */
export type Interpretation = TurnOutcome | { kind: "call"; call: CheckedCall };

/**
 * Reads a finished reply: a cut (too long) or spiralling reply, prose without a call, a
 * call that cannot be trusted and arguments the schema rejects each go back to the model
 * as feedback (and count towards `maxInvalidReplies`); a valid call is returned. The reply
 * joins the history here, in the form the next prompt should repeat.
 *
 * @param run - The run.
 * @param step - The reply's step.
 * @param reply - The reply as the stream left it.
 * @returns The call, or the outcome of an unusable reply.
 */
export async function interpretReply(
  run: Run,
  step: number,
  reply: StreamedReply,
): Promise<Interpretation> {
  const { text, meter, spiral } = reply;
  if (meter.over !== undefined) {
    // Only a head of the cut reply stays in the conversation: the rest is noise.
    run.messages.push({
      role: "assistant",
      content: assistantContent(text.slice(0, OVERSIZE_HISTORY_CHARS), false),
    });
    return rejectReply(run, step, oversizeFeedback(meter), false);
  }
  if (spiral) {
    // The history keeps what came before the loop, so the model does not read it back.
    run.messages.push({ role: "assistant", content: text.slice(0, spiral.start) || "…" });
    return rejectReply(run, step, SPIRAL_NUDGE, false);
  }
  // Parse what the history will show: the reply up to the end of a completed call. A
  // native call (the provider's tool API) is read the same way; a call the model left in
  // its text instead is still parsed.
  const native = reply.nativeCalls[0];
  const { toolNames } = run;
  const parsed = native
    ? interpretNativeCalls(
        reply.nativeCalls,
        toolNames,
        parseReply(text, { toolNames }).kind === "call",
      )
    : parseReply(text, { toolNames, finishReason: reply.finishReason });
  run.messages.push(assistantTurnMessage(text, parsed.kind === "call", reply.tokens, native));
  if (parsed.kind === "none") {
    return rejectReply(run, step, run.plan.protocol === "native" ? NATIVE_NUDGE : NUDGE, false);
  }
  if (parsed.kind === "invalid") return rejectReply(run, step, parsed.feedback, true, native);

  const tool = run.tools.get(parsed.call.name) as AnyTool;
  const validation = tool.inputSchema.safeParse(parsed.call.args);
  if (!validation.success) {
    const feedback = formatValidationError(tool.name, validation.error, describeTool(tool));
    return rejectReply(run, step, feedback, true, native);
  }
  run.invalidInARow = 0;
  const notes = parsed.warning ? [parsed.warning] : [];
  return {
    kind: "call",
    call: { step, tool, args: parsed.call.args, input: validation.data, notes, native },
  };
}

/**
 * Counts an unusable reply and sends the model its feedback (as a failed tool result when
 * it tried a call, as plain text when it wrote prose); `maxInvalidReplies` in a row stop
 * the run.
 */
async function rejectReply(
  run: Run,
  step: number,
  feedback: string,
  asResult: boolean,
  native?: NativeToolCall,
): Promise<TurnOutcome> {
  run.invalidInARow++;
  const consecutive = run.invalidInARow;
  await run.journal.invalidReply(step, feedback, consecutive);
  if (consecutive >= run.settings.maxInvalidReplies) {
    return stopRun(
      "invalid-replies",
      `The model sent ${consecutive} replies in a row without a usable tool call. Last problem: ${problemOf(feedback)}`,
    );
  }
  run.messages.push(
    asResult
      ? toolResultMessage(formatToolResult({ ok: false, error: feedback }), native)
      : { role: "user", content: feedback },
  );
  return CONTINUE;
}

/**
 * What was wrong with a reply, from the feedback sent back for it: its first line, less a
 * closing "Reply ... in this form:" that leads into an example the stop message leaves out.
 */
function problemOf(feedback: string): string {
  const line = feedback.split("\n")[0] ?? "";
  const lastSentence = line.lastIndexOf(". ");
  return line.endsWith(":") && lastSentence > 0 ? line.slice(0, lastSentence + 1) : line;
}
