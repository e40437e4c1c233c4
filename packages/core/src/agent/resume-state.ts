import type { ChatMessage } from "../provider/provider.js";
import { hashMessages } from "../session/hash-messages.js";
import type { SessionSnapshot } from "../session/rebuild-session.js";
import type { RunJournal } from "./run-journal.js";

/** What a resumed run starts from. */
export interface ResumeState {
  /** The session being continued. */
  sessionId: string;
  /** The conversation and runs rebuilt from its transcript. */
  snapshot: SessionSnapshot;
  /** What reading the transcript worked around. */
  warnings: readonly string[];
  /** The follow-up instruction, if one was given. */
  message: string | undefined;
}

/**
 * Tells the user what resuming worked around: a damaged tail, a rebuilt conversation that
 * does not match its checksum, a call that was in flight.
 *
 * @param resume - The resumed session.
 * @param journal - The run's journal.
 */
export async function reportResume(resume: ResumeState, journal: RunJournal): Promise<void> {
  for (const message of resume.warnings) await journal.warning("session", message);
  const { snapshot } = resume;
  if (snapshot.lastRequest) {
    const hash = await hashMessages(snapshot.requestHistory).catch(() => undefined);
    if (hash !== undefined && hash !== snapshot.lastRequest.hash) {
      await journal.warning(
        "session",
        "The rebuilt conversation does not match the transcript's checksum; resuming with it as recorded.",
      );
    }
  }
  const call = snapshot.interruptedCall;
  if (call) {
    await journal.warning(
      "session",
      `The session stopped while ${call.name} (step ${call.step}) was running; the model is told its effect is unknown.`,
    );
  }
}

/**
 * The conversation a run starts with: the system prompt and the task, or for a resumed
 * session its rebuilt messages under the current system prompt, with the follow-up added.
 *
 * @param task - The task.
 * @param systemPrompt - The system message.
 * @param resume - The resumed session, if any.
 * @returns The messages.
 */
export function openingMessages(
  task: string,
  systemPrompt: ChatMessage,
  resume: ResumeState | undefined,
): ChatMessage[] {
  if (!resume) return [systemPrompt, { role: "user", content: task }];
  const messages = [...resume.snapshot.messages];
  if (messages[0]?.role === "system") messages[0] = systemPrompt;
  else messages.unshift(systemPrompt);
  if (messages.length < 2) messages.push({ role: "user", content: task });
  if (resume.message !== undefined) {
    const last = messages.at(-1) as ChatMessage;
    // Two user messages in a row break some chat templates: merge instead.
    if (last.role === "user") {
      messages[messages.length - 1] = {
        role: "user",
        content: `${last.content}\n\n${resume.message}`,
      };
    } else messages.push({ role: "user", content: resume.message });
  }
  return messages;
}
