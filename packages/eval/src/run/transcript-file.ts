import { promises as fs } from "node:fs";
import path from "node:path";
import {
  formatTranscriptLine,
  type LoadedSession,
  type NewSessionInfo,
  parseTranscript,
  type SessionStore,
  sessionHeaderRecord,
} from "@gemma-coder/core";

/**
 * A session store that writes one run's transcript to one JSONL file, in the format every
 * gemma-coder transcript has, so it can be read with `gemma-coder`'s tools and replayed
 * with `createReplayModel`. A run that is cut off leaves the file readable up to its last
 * whole record.
 *
 * @param file - The transcript file; its folder is created, an older file is replaced.
 * @param sessionId - The id written in the header (the run's key).
 * @returns The store for the run's agent.
 */
export function transcriptFileStore(file: string, sessionId: string): SessionStore {
  return {
    async create(info: NewSessionInfo) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, formatTranscriptLine(sessionHeaderRecord(sessionId, info)));
      return sessionId;
    },
    async append(_sessionId, record) {
      await fs.appendFile(file, formatTranscriptLine(record));
    },
    async load(): Promise<LoadedSession> {
      return parseTranscript(await fs.readFile(file, "utf8"), `The transcript ${file}`);
    },
  };
}
