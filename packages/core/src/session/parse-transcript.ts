import { z } from "zod";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import type { LoadedSession } from "./session-store.js";
import {
  TRANSCRIPT_FORMAT,
  TRANSCRIPT_VERSION,
  type TranscriptRecord,
  type TranscriptRecordType,
} from "./transcript-record.js";

const callRef = { id: z.string().max(200), name: z.string().max(200) };
const nativeCall = z.object({ ...callRef, argsText: z.string() });
// The native protocol's calls and results (optional: older transcripts have none).
const message = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
  toolCalls: z.array(nativeCall).max(64).optional(),
  toolResultOf: z.object(callRef).optional(),
});
const usage = z.looseObject({
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  cachedInputTokens: z.number().optional(),
  evaluatedInputTokens: z.number().optional(),
});
const finishReason = z.enum(["stop", "stop-sequence", "length", "error", "abort"]);
const toolResult = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
const args = z.record(z.string(), z.unknown());
const base = { v: z.literal(1), time: z.number() };
const runStep = { runId: z.string(), step: z.number().int().min(0) };
// Key order of the parsed records follows these shapes: v, time, type, then the rest.
const shape = <T extends string, S extends z.ZodRawShape>(type: T, fields: S) =>
  z.looseObject({ ...base, type: z.literal(type), ...fields });

// Loose objects: a later minor release may add fields, and an older reader keeps them.
const schemas: Record<TranscriptRecordType, z.ZodType> = {
  session: shape("session", {
    format: z.literal(TRANSCRIPT_FORMAT),
    sessionId: z.string(),
    workspace: z.string().optional(),
  }),
  "run-start": shape("run-start", {
    runId: z.string(),
    task: z.string(),
    resumeOf: z.string().optional(),
    message: z.string().optional(),
    firstStep: z.number().int().min(0),
    provider: z.string(),
    model: z.string().optional(),
    tools: z.array(z.string()),
    settings: z.looseObject({
      maxSteps: z.number(),
      maxOutputTokens: z.number(),
      contextWindow: z.number(),
      maxResultChars: z.number(),
      temperature: z.number().optional(),
    }),
  }),
  request: shape("request", {
    ...runStep,
    hash: z.string(),
    count: z.number().int().min(0),
    base: z.number().int().min(0),
    messages: z.array(message),
  }),
  reply: shape("reply", {
    ...runStep,
    purpose: z.enum(["turn", "summary"]),
    text: z.string(),
    finishReason,
    usage: usage.optional(),
    error: z.string().optional(),
  }),
  "tool-call": shape("tool-call", {
    ...runStep,
    name: z.string(),
    args,
    approval: z.literal("pending").optional(),
    native: nativeCall.optional(),
  }),
  approval: shape("approval", { ...runStep, name: z.string(), approved: z.boolean() }),
  "tool-result": shape("tool-result", {
    ...runStep,
    name: z.string(),
    result: toolResult,
    durationMs: z.number(),
  }),
  "invalid-reply": shape("invalid-reply", {
    ...runStep,
    feedback: z.string(),
    consecutive: z.number(),
  }),
  context: shape("context", {
    ...runStep,
    kind: z.enum(["elide", "compact"]),
    messages: z.number(),
    tokensBefore: z.number(),
    tokensAfter: z.number(),
  }),
  notice: shape("notice", {
    runId: z.string(),
    step: z.number().optional(),
    kind: z.string(),
    message: z.string(),
  }),
  "run-end": shape("run-end", {
    runId: z.string(),
    status: z.enum(["done", "failed", "aborted"]),
    stopReason: z.string(),
    summary: z.string().optional(),
    steps: z.number(),
    usage: z.looseObject({
      inputTokens: z.number(),
      outputTokens: z.number(),
      cachedInputTokens: z.number(),
    }),
    message: z.string(),
    error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
    durationMs: z.number(),
  }),
};

function transcriptError(message: string, cause?: unknown): GemmaCoderError {
  return new GemmaCoderError(message, { code: "invalid-argument", cause });
}

// long-function: one pass over the lines, with a short check per way a transcript can be damaged or newer, in the order they are met
/**
 * Reads a JSONL transcript, tolerating what a crash or an older or newer writer can
 * leave behind:
 *
 * - an incomplete last line (the writer was killed mid-write) is dropped with a warning;
 * - a line that is not valid JSON, a record of an unknown type, or a record with
 *   missing fields is skipped with a warning (best effort);
 * - a record of a newer format version stops the read with a clear error
 *   (code `unsupported`), as does a file that is not a transcript at all
 *   (code `invalid-argument`).
 *
 * @param text - The file's text.
 * @param source - How to name the transcript in messages, e.g. its path.
 * @returns The session id, the records and the warnings.
 * @throws GemmaCoderError `unsupported` for a newer or unknown format version,
 *   `invalid-argument` when the text is not a gemma-coder transcript.
 */
export function parseTranscript(text: string, source = "The transcript"): LoadedSession {
  const lines = text.split("\n");
  const records: TranscriptRecord[] = [];
  const warnings: string[] = [];
  // A file written to completion ends with "\n"; anything after the last one is a torn write.
  const torn = !text.endsWith("\n") && lines.length > 0;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const lineNumber = index + 1;
    const last = torn && index === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (records.length === 0 && !last) {
        throw transcriptError(
          `${source} is not a gemma-coder transcript (line 1 is not JSON).`,
          error,
        );
      }
      warnings.push(
        last
          ? `${source} ends with an incomplete line ${lineNumber} (the writer stopped mid-write); it was ignored.`
          : `Line ${lineNumber} is not valid JSON; it was skipped.`,
      );
      continue;
    }
    const record = value as { v?: unknown; type?: unknown } | null;
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      if (records.length === 0) {
        throw transcriptError(
          `${source} is not a gemma-coder transcript (line 1 is not a record).`,
        );
      }
      warnings.push(`Line ${lineNumber} is not a transcript record; it was skipped.`);
      continue;
    }
    if (typeof record.v !== "number" || !Number.isInteger(record.v)) {
      if (records.length === 0) {
        throw transcriptError(
          `${source} is not a gemma-coder transcript, or was written by a pre-release version without format versions.`,
        );
      }
      warnings.push(`Line ${lineNumber} has no format version; it was skipped.`);
      continue;
    }
    if (record.v !== TRANSCRIPT_VERSION) {
      throw new GemmaCoderError(
        record.v > TRANSCRIPT_VERSION
          ? `${source} was written by a newer gemma-coder (transcript format v${record.v}; this version reads v${TRANSCRIPT_VERSION}). Update gemma-coder to open it.`
          : `${source} uses transcript format v${record.v}, which this version no longer reads (it reads v${TRANSCRIPT_VERSION}).`,
        { code: "unsupported" },
      );
    }
    const type = record.type;
    const schema = typeof type === "string" ? schemas[type as TranscriptRecordType] : undefined;
    if (records.length === 0 && type !== "session") {
      throw transcriptError(`${source} does not start with a session header record.`);
    }
    if (schema === undefined) {
      warnings.push(
        `Line ${lineNumber} has a record type this version does not know (${JSON.stringify(type)}); it was skipped.`,
      );
      continue;
    }
    const parsed = schema.safeParse(record);
    if (!parsed.success) {
      if (records.length === 0) {
        throw transcriptError(`${source} has a malformed session header.`, parsed.error);
      }
      const issue = parsed.error.issues[0];
      warnings.push(
        `Line ${lineNumber} (${String(type)}) is malformed${issue ? ` at ${issue.path.join(".") || "the top level"}: ${issue.message}` : ""}; it was skipped.`,
      );
      continue;
    }
    records.push(parsed.data as TranscriptRecord);
  }
  const header = records[0];
  if (header === undefined || header.type !== "session") {
    throw transcriptError(`${source} is empty.`);
  }
  return { sessionId: header.sessionId, records, warnings };
}

/**
 * Serialises one record as a transcript line: one `JSON.stringify` and a newline, so
 * the whole line can be written by a single append.
 *
 * @param record - The record.
 * @returns The line, ending with `\n`.
 */
export function formatTranscriptLine(record: TranscriptRecord): string {
  return `${JSON.stringify(record)}\n`;
}
