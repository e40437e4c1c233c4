import type { ChatMessage } from "../provider/provider.js";
import { hashMessages } from "./hash-messages.js";
import type { SessionStore } from "./session-store.js";
import { TRANSCRIPT_VERSION, type TranscriptRecord } from "./transcript-record.js";

type WithoutStamp<R> = R extends TranscriptRecord ? Omit<R, "v" | "time"> : never;

/** A record as the agent hands it over, before `v` and `time` are stamped on. */
export type RecordInput = WithoutStamp<TranscriptRecord>;

/**
 * Writes one run's records to a session store, in order. The first failed write is
 * reported once and recording stops, so the transcript stays a clean prefix of the
 * run rather than a record stream with holes.
 *
 * @internal
 */
export class SessionRecorder {
  private failed = false;
  private previous: readonly ChatMessage[];

  constructor(
    private readonly store: SessionStore,
    readonly sessionId: string,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
    previous: readonly ChatMessage[] = [],
  ) {
    this.previous = previous;
  }

  async write(record: RecordInput): Promise<void> {
    if (this.failed) return;
    try {
      await this.store.append(this.sessionId, {
        v: TRANSCRIPT_VERSION,
        time: this.now(),
        ...record,
      } as TranscriptRecord);
    } catch (error) {
      this.failed = true;
      this.onError(error);
    }
  }

  /** Records a request as its hash plus the messages that changed since the last one. */
  async request(runId: string, step: number, messages: readonly ChatMessage[]): Promise<void> {
    if (this.failed) return;
    const previous = this.previous;
    let base = 0;
    while (base < previous.length && base < messages.length) {
      const a = previous[base] as ChatMessage;
      const b = messages[base] as ChatMessage;
      if (a !== b && (a.role !== b.role || a.content !== b.content)) break;
      base++;
    }
    let hash: string;
    try {
      hash = await hashMessages(messages);
    } catch (error) {
      this.failed = true;
      this.onError(error);
      return;
    }
    await this.write({
      type: "request",
      runId,
      step,
      hash,
      count: messages.length,
      base,
      // Native calls and results are kept, so a resumed run sends them back as it sent them.
      messages: messages.slice(base).map(({ role, content, toolCalls, toolResultOf }) => ({
        role,
        content,
        ...(toolCalls === undefined ? {} : { toolCalls }),
        ...(toolResultOf === undefined ? {} : { toolResultOf }),
      })),
    });
    // Message objects are replaced, never edited in place, so keeping references is safe.
    this.previous = [...messages];
  }
}
