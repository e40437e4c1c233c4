import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import {
  formatTranscriptLine,
  GemmaCoderError,
  type LoadedSession,
  type NewSessionInfo,
  parseTranscript,
  rebuildSession,
  type SessionRunStatus,
  type SessionSnapshot,
  type SessionStore,
  sessionHeaderRecord,
  type TranscriptRecord,
} from "@gemma-coder/core";
import { makePrivateDir, PRIVATE_FILE_MODE } from "./private-files.js";
import { assertSafeId } from "./safe-id.js";
import { acquireSessionLock, releaseSessionLock } from "./session-lock.js";

/** The file name ending of transcripts. */
export const TRANSCRIPT_EXTENSION = ".jsonl";

const LOCK_EXTENSION = ".lock";

/** Options of {@link FileSessionStore}. */
export interface FileSessionStoreOptions {
  /** The folder holding the transcripts (see `resolveSessionDir`). Created on first use. */
  dir: string;
}

/** One session in a listing. */
export interface SessionSummary {
  /** The session's id. */
  sessionId: string;
  /** Its transcript file. */
  path: string;
  /** When it was created (from its header), in milliseconds since the epoch. */
  createdAt: number;
  /** When its transcript was last written (file modification time). */
  updatedAt: number;
  /** The first run's task. */
  task?: string;
  /** How its last run ended; `unreadable` when the transcript could not be read. */
  status: SessionRunStatus | "empty" | "unreadable";
  /** How many runs it holds (the first one and its resumptions). */
  runs: number;
  /** The last run's id (the one `undo` takes). */
  lastRunId?: string;
  /** The last `done` summary. */
  summary?: string;
  /** Why the transcript could not be read, for `unreadable`. */
  error?: string;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** `20250102-030405-a1b2c3`: sorts by creation time and is safe in any file system. */
function newSessionId(time: number): string {
  const d = new Date(time);
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Keeps session transcripts as JSONL files, one per session, in one folder
 * (`<dir>/<sessionId>.jsonl`).
 *
 * Each record is one `JSON.stringify` line written by a single append (no fsync), so a
 * crash at any moment leaves every earlier line intact and at worst a torn last line,
 * which the reader drops with a warning. The folder gets a `.gitignore` of `*` so
 * transcripts never show up in the user's `git status`. New folders are 0700 and
 * transcripts 0600: they hold tool output, which may hold secrets.
 *
 * A process that creates, resumes (`load`) or appends to a session holds its lock file
 * (`<sessionId>.lock`, with the process id and start time) until {@link FileSessionStore.release} or
 * its exit, so two processes never interleave records; the second gets a `busy` error.
 * A lock left by a process that is gone is taken over. Reading a transcript that is not
 * a regular file (a link to a device, say) is refused.
 *
 * @example
 * ```ts
 * const store = new FileSessionStore({ dir: (await resolveSessionDir({ workspace })).dir });
 * const agent = new Agent({ provider, tools, session: store });
 * const { sessionId } = await agent.run("fix the test");
 * ```
 */
export class FileSessionStore implements SessionStore {
  /** The folder holding the transcripts. */
  readonly dir: string;

  /**
   * Creates a store. Nothing is written until the first session starts.
   *
   * @param options - The folder.
   */
  constructor(options: FileSessionStoreOptions) {
    if (typeof options?.dir !== "string" || options.dir === "") {
      throw new GemmaCoderError("FileSessionStore needs a folder (dir).", {
        code: "invalid-argument",
      });
    }
    this.dir = path.resolve(options.dir);
  }

  /**
   * The transcript file of a session.
   *
   * @param sessionId - The session.
   * @returns The absolute path (which may not exist).
   */
  pathOf(sessionId: string): string {
    assertSafeId(sessionId, "session id");
    return path.join(this.dir, `${sessionId}${TRANSCRIPT_EXTENSION}`);
  }

  /**
   * Starts a session file with its header record.
   *
   * @param info - The workspace and the time.
   * @returns The new session's id (`YYYYMMDD-HHMMSS-xxxxxx`, UTC).
   */
  async create(info: NewSessionInfo): Promise<string> {
    await makePrivateDir(this.dir);
    await fs
      .writeFile(path.join(this.dir, ".gitignore"), "*\n", { flag: "wx", mode: PRIVATE_FILE_MODE })
      .catch((error) => {
        if (errorCode(error) !== "EEXIST") throw error;
      });
    for (;;) {
      const sessionId = newSessionId(info.time);
      const line = formatTranscriptLine(sessionHeaderRecord(sessionId, info));
      try {
        // "wx": never take over another session's file, even one started the same second.
        await fs.writeFile(this.pathOf(sessionId), line, { flag: "wx", mode: PRIVATE_FILE_MODE });
        await acquireSessionLock(this.lockOf(sessionId), sessionId);
        return sessionId;
      } catch (error) {
        if (errorCode(error) !== "EEXIST") throw error;
      }
    }
  }

  /**
   * Appends one record as one line, with a single write to a file opened for append.
   * The file must exist: a deleted transcript is reported, not silently restarted
   * without its header.
   *
   * @param sessionId - The session.
   * @param record - The record.
   */
  async append(sessionId: string, record: TranscriptRecord): Promise<void> {
    const data = Buffer.from(formatTranscriptLine(record), "utf8");
    await this.lock(sessionId);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.pathOf(sessionId), constants.O_WRONLY | constants.O_APPEND);
    } catch (error) {
      if (errorCode(error) === "ENOENT") throw this.notFound(sessionId);
      throw error;
    }
    try {
      let offset = 0;
      // One write for the whole line; the loop only matters if the OS accepts part of it.
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
      }
    } finally {
      await handle.close();
    }
  }

  /**
   * Reads a session back to resume it (see `parseTranscript` for what is tolerated), and
   * takes its lock so no other process appends meanwhile.
   *
   * @param sessionId - The session.
   * @returns Its records and warnings.
   * @throws GemmaCoderError `invalid-argument` for an unknown session or a file that is
   *   not a transcript, `unsupported` for a newer format, `busy` when another process
   *   has the session open.
   */
  async load(sessionId: string): Promise<LoadedSession> {
    const loaded = await this.read(sessionId);
    await this.lock(sessionId);
    return loaded;
  }

  /**
   * Reads a session and folds it into its runs and conversation, to resume it (takes the
   * session's lock, like {@link FileSessionStore.load}).
   *
   * @param sessionId - The session.
   * @returns The snapshot, and the reader's warnings.
   */
  async snapshot(sessionId: string): Promise<SessionSnapshot & { warnings: string[] }> {
    const loaded = await this.load(sessionId);
    return { ...rebuildSession(loaded.records), warnings: loaded.warnings };
  }

  /**
   * Releases the lock this process holds on a session (taken by `create`, `load` or
   * `append`), so another process may resume it before this one exits.
   *
   * @param sessionId - The session.
   */
  async release(sessionId: string): Promise<void> {
    await releaseSessionLock(this.lockOf(sessionId));
  }

  private lockOf(sessionId: string): string {
    assertSafeId(sessionId, "session id");
    return path.join(this.dir, `${sessionId}${LOCK_EXTENSION}`);
  }

  private async lock(sessionId: string): Promise<void> {
    try {
      await acquireSessionLock(this.lockOf(sessionId), sessionId);
    } catch (error) {
      if (errorCode(error) === "ENOENT") throw this.notFound(sessionId);
      throw error;
    }
  }

  /** Reads a transcript without locking it; only a regular file is read. */
  private async read(sessionId: string): Promise<LoadedSession> {
    const file = this.pathOf(sessionId);
    let text: string;
    try {
      const stat = await fs.lstat(file);
      if (!stat.isFile()) {
        throw new GemmaCoderError(
          `The transcript of session ${sessionId} (${file}) is not a regular file; it is not read.`,
          { code: "invalid-argument" },
        );
      }
      text = await fs.readFile(file, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") throw this.notFound(sessionId);
      throw error;
    }
    return parseTranscript(text, `Session ${sessionId}`);
  }

  /**
   * Lists sessions, most recently written first.
   *
   * @param options - At most `limit` sessions (each one listed is read in full).
   * @returns Their summaries; a transcript that cannot be read is listed as `unreadable`.
   */
  async list(options: { limit?: number } = {}): Promise<SessionSummary[]> {
    const ids = await this.ids();
    const stats = await Promise.all(
      ids.map(async (sessionId) => {
        try {
          return { sessionId, mtime: (await fs.stat(this.pathOf(sessionId))).mtimeMs };
        } catch {
          return undefined;
        }
      }),
    );
    const sorted = stats
      .filter((entry): entry is { sessionId: string; mtime: number } => entry !== undefined)
      .sort((a, b) => b.mtime - a.mtime || (a.sessionId < b.sessionId ? 1 : -1));
    const chosen = sorted.slice(0, options.limit ?? sorted.length);
    return Promise.all(chosen.map(({ sessionId, mtime }) => this.summarize(sessionId, mtime)));
  }

  /**
   * The most recently written session, for `--continue`.
   *
   * @returns Its summary, or `undefined` when there is none.
   */
  async latest(): Promise<SessionSummary | undefined> {
    return (await this.list({ limit: 1 }))[0];
  }

  /**
   * Finds a session by its id or a unique prefix of it.
   *
   * @param idOrPrefix - What the user typed.
   * @returns The full session id.
   * @throws GemmaCoderError `invalid-argument` when nothing or more than one session matches.
   */
  async resolve(idOrPrefix: string): Promise<string> {
    assertSafeId(idOrPrefix, "session id");
    const ids = await this.ids();
    if (ids.includes(idOrPrefix)) return idOrPrefix;
    const matches = ids.filter((id) => id.startsWith(idOrPrefix));
    if (matches.length === 1) return matches[0] as string;
    if (matches.length === 0) throw this.notFound(idOrPrefix);
    throw new GemmaCoderError(
      `"${idOrPrefix}" matches ${matches.length} sessions (${matches.slice(0, 5).join(", ")}${matches.length > 5 ? ", ..." : ""}); give more of the id.`,
      { code: "invalid-argument" },
    );
  }

  private async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return [];
      throw error;
    }
    return names
      .filter((name) => name.endsWith(TRANSCRIPT_EXTENSION))
      .map((name) => name.slice(0, -TRANSCRIPT_EXTENSION.length))
      .filter((id) => {
        try {
          assertSafeId(id, "session id");
          return true;
        } catch {
          return false;
        }
      });
  }

  private async summarize(sessionId: string, mtime: number): Promise<SessionSummary> {
    const file = this.pathOf(sessionId);
    try {
      const snapshot = rebuildSession((await this.read(sessionId)).records);
      const last = snapshot.runs.at(-1);
      const summary = [...snapshot.runs].reverse().find((run) => run.summary)?.summary;
      return {
        sessionId,
        path: file,
        createdAt: snapshot.createdAt,
        updatedAt: mtime,
        ...(snapshot.task === undefined ? {} : { task: snapshot.task }),
        status: snapshot.status,
        runs: snapshot.runs.length,
        ...(last === undefined ? {} : { lastRunId: last.runId }),
        ...(summary === undefined ? {} : { summary }),
      };
    } catch (error) {
      return {
        sessionId,
        path: file,
        createdAt: mtime,
        updatedAt: mtime,
        status: "unreadable",
        runs: 0,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  private notFound(sessionId: string): GemmaCoderError {
    return new GemmaCoderError(`There is no session "${sessionId}" in ${this.dir}.`, {
      code: "invalid-argument",
    });
  }
}
