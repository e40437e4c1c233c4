import {
  type SessionHeaderRecord,
  TRANSCRIPT_FORMAT,
  TRANSCRIPT_VERSION,
  type TranscriptRecord,
} from "./transcript-record.js";

/** What a store is told when a session starts. */
export interface NewSessionInfo {
  /** The workspace the session works in, when the agent knows it. */
  workspace?: string;
  /** The current time in milliseconds since the epoch (from the agent's clock). */
  time: number;
}

/** A session as read back from a store. */
export interface LoadedSession {
  /** The session's id. */
  sessionId: string;
  /** The records, header first, in the order they were written. */
  records: TranscriptRecord[];
  /**
   * Problems the reader worked around (a truncated last line, a record type it does not
   * know), as sentences for humans. Empty for a clean transcript.
   */
  warnings: string[];
}

/**
 * Where an agent writes its transcripts. The agent calls {@link SessionStore.create}
 * once per new session, then {@link SessionStore.append} for every record, in order
 * and one at a time; {@link SessionStore.load} reads a session back for `resume`.
 *
 * An implementation must write each record whole or not at all as far as a reader
 * can tell (for a file: one line per record, written by a single append), so a crash
 * at any moment leaves a transcript that is readable up to its last complete record.
 * `@gemma-coder/sessions` has a JSONL file store; `createMemorySessionStore` keeps
 * sessions in memory.
 */
export interface SessionStore {
  /**
   * Starts a session and writes its header record.
   *
   * @param info - The workspace and the current time.
   * @returns The new session's id.
   */
  create(info: NewSessionInfo): Promise<string>;
  /**
   * Appends one record to a session.
   *
   * @param sessionId - The session.
   * @param record - The record, already stamped with `v` and `time`.
   */
  append(sessionId: string, record: TranscriptRecord): Promise<void>;
  /**
   * Reads a session back.
   *
   * @param sessionId - The session.
   * @returns Its records and any problems worked around.
   * @throws GemmaCoderError when the session does not exist or cannot be read at all.
   */
  load(sessionId: string): Promise<LoadedSession>;
}

/**
 * Builds the header record that starts every transcript, so every store writes the
 * same first line.
 *
 * @param sessionId - The new session's id.
 * @param info - What the store was told when the session started.
 * @returns The header record.
 */
export function sessionHeaderRecord(sessionId: string, info: NewSessionInfo): SessionHeaderRecord {
  return {
    v: TRANSCRIPT_VERSION,
    time: info.time,
    type: "session",
    format: TRANSCRIPT_FORMAT,
    sessionId,
    ...(info.workspace === undefined ? {} : { workspace: info.workspace }),
  };
}
