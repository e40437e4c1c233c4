import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { formatTranscriptLine, parseTranscript } from "./parse-transcript.js";
import {
  type LoadedSession,
  type NewSessionInfo,
  type SessionStore,
  sessionHeaderRecord,
} from "./session-store.js";

/** A {@link SessionStore} that keeps transcripts in memory, as JSONL text. */
export interface MemorySessionStore extends SessionStore {
  /** The ids of the sessions, oldest first. */
  readonly sessionIds: readonly string[];
  /**
   * The transcript of a session as JSONL text, exactly as a file store would write it.
   *
   * @param sessionId - The session.
   * @returns The text, or `undefined` for an unknown session.
   */
  transcript(sessionId: string): string | undefined;
}

/**
 * Creates a session store that keeps transcripts in memory: for tests, and for runtimes
 * without a file system. Records are stored as the same JSONL lines a file store
 * writes and read back through the same parser, so what works here works on disk.
 *
 * @returns The store.
 *
 * @example
 * ```ts
 * const session = createMemorySessionStore();
 * const agent = new Agent({ provider, session });
 * const { sessionId } = await agent.run("fix the test");
 * const replay = createReplayModel(session.transcript(sessionId!)!);
 * ```
 */
export function createMemorySessionStore(): MemorySessionStore {
  const texts = new Map<string, string>();
  let counter = 0;
  const text = (sessionId: string) => {
    const value = texts.get(sessionId);
    if (value === undefined) {
      throw new GemmaCoderError(`There is no session ${JSON.stringify(sessionId)}.`, {
        code: "invalid-argument",
      });
    }
    return value;
  };
  return {
    get sessionIds() {
      return [...texts.keys()];
    },
    transcript: (sessionId) => texts.get(sessionId),
    async create(info: NewSessionInfo) {
      counter++;
      const sessionId = `session-${counter}`;
      texts.set(sessionId, formatTranscriptLine(sessionHeaderRecord(sessionId, info)));
      return sessionId;
    },
    async append(sessionId, record) {
      texts.set(sessionId, text(sessionId) + formatTranscriptLine(record));
    },
    async load(sessionId): Promise<LoadedSession> {
      return parseTranscript(text(sessionId), `Session ${sessionId}`);
    },
  };
}
