import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { hashMessages } from "../session/hash-messages.js";
import { parseTranscript } from "../session/parse-transcript.js";
import type {
  ReplyRecord,
  RequestRecord,
  RunStartRecord,
  TranscriptRecord,
} from "../session/transcript-record.js";
import { createScriptedModel, type ScriptedModel, type ScriptedReply } from "./scripted-model.js";

/** A recorded session: JSONL transcript text, or its records. */
export type TranscriptSource = string | readonly TranscriptRecord[];

/** Options of {@link createReplayModel}. */
export interface ReplayModelOptions {
  /** Replay only this run's replies. Default: every run of the session, in order. */
  runId?: string;
  /**
   * Check that each request carries exactly the recorded conversation (by its hash),
   * and fail at the first difference. Needs the same tools, rules and instructions as
   * the recording. Default `false`: only the number of turns is checked.
   */
  strict?: boolean;
  /** Stream each reply in pieces of this many characters. Default: whole. */
  chunkSize?: number;
  /** Wait this long before each piece, in milliseconds (for a demo's pace). Default 0. */
  delayMs?: number;
  /** The provider id reported. Default `"replay"`. */
  id?: string;
  /** The model name reported. Default `"replay of <the recorded model>"`. */
  model?: string;
}

/** A provider that replays a recorded session's replies; see {@link createReplayModel}. */
export interface ReplayModel extends ScriptedModel {
  /** How many recorded replies have not been asked for yet. */
  readonly remaining: number;
  /** How many replies the recording holds. */
  readonly total: number;
}

/** A tool call as recorded, for comparing a replay with its recording. */
export interface RecordedToolCall {
  /** The step of the call. */
  step: number;
  /** The tool. */
  name: string;
  /** Its arguments. */
  args: Record<string, unknown>;
}

function toRecords(source: TranscriptSource): readonly TranscriptRecord[] {
  if (typeof source === "string") return parseTranscript(source, "The recorded transcript").records;
  if (!Array.isArray(source)) {
    throw new GemmaCoderError("A recorded session is JSONL text or an array of records.", {
      code: "invalid-argument",
    });
  }
  return source;
}

/**
 * Creates a model that replays the replies of a recorded session, in order, so any
 * real session becomes a deterministic test of an integration: run the same agent
 * (same tools, same task) against the replay and it makes the same tool calls. The
 * replies include the summaries of context compactions, and failures recorded as
 * provider errors fail again at the same turn. `contextWindow()` reports the recorded
 * window so the agent sizes its budget as it did.
 *
 * The conversation diverging from the recording (more turns than recorded, or with
 * `strict`, a request that differs from the recorded one) fails the stream with a
 * `script-exhausted` error that says where.
 *
 * @param source - The transcript's JSONL text, or its records.
 * @param options - Which run, strictness and pace.
 * @returns A provider for `new Agent({ provider })`.
 * @throws GemmaCoderError when the transcript cannot be read or holds no reply.
 *
 * @example
 * ```ts
 * const transcript = await readFile(".gemma-coder/sessions/<id>.jsonl", "utf8");
 * const agent = new Agent({ provider: createReplayModel(transcript), tools });
 * const calls: string[] = [];
 * agent.on("tool-call", (e) => calls.push(e.name));
 * await agent.run("Fix the failing test");
 * expect(calls).toEqual(recordedToolCalls(transcript).map((c) => c.name));
 * ```
 */
export function createReplayModel(
  source: TranscriptSource,
  options: ReplayModelOptions = {},
): ReplayModel {
  const records = toRecords(source);
  const replies: ReplyRecord[] = [];
  const requests = new Map<string, RequestRecord>();
  let firstRun: RunStartRecord | undefined;
  for (const record of records) {
    if (options.runId !== undefined && "runId" in record && record.runId !== options.runId) {
      continue;
    }
    if (record.type === "run-start") firstRun ??= record;
    else if (record.type === "reply") replies.push(record);
    else if (record.type === "request") requests.set(`${record.runId}\n${record.step}`, record);
  }
  if (replies.length === 0) {
    throw new GemmaCoderError(
      options.runId === undefined
        ? "The recorded session holds no model reply to replay."
        : `The recorded session holds no model reply of run ${options.runId}.`,
      { code: "invalid-argument" },
    );
  }
  const id = options.id ?? "replay";
  let served = 0;
  const scripted = createScriptedModel(
    async (messages, turn): Promise<ScriptedReply> => {
      const reply = replies[turn];
      if (reply === undefined) {
        throw new GemmaCoderError(
          `The replay diverged from the recording: request ${turn + 1} was made, but the recording has only ${replies.length} replies.`,
          { code: "script-exhausted", provider: id },
        );
      }
      served = turn + 1;
      if (options.strict && reply.purpose === "turn") {
        const recorded = requests.get(`${reply.runId}\n${reply.step}`);
        if (recorded && (await hashMessages(messages)) !== recorded.hash) {
          throw new GemmaCoderError(
            `The replay diverged from the recording at step ${reply.step}: the conversation sent to the model differs from the recorded one (different tools, rules or tool results).`,
            { code: "script-exhausted", provider: id },
          );
        }
      }
      return {
        text: reply.text,
        ...(reply.error === undefined
          ? { finishReason: reply.finishReason }
          : {
              error: new GemmaCoderError(reply.error, { code: "provider-stream", provider: id }),
              failAfterChars: reply.text.length,
            }),
        ...(reply.usage === undefined ? {} : { usage: reply.usage }),
        ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
        ...(options.delayMs === undefined ? {} : { delayMs: options.delayMs }),
      };
    },
    {
      id,
      ...(firstRun === undefined ? {} : { contextWindow: firstRun.settings.contextWindow }),
    },
  );
  const model =
    options.model ?? (firstRun?.model ? `replay of ${firstRun.model}` : "replay of a recording");
  return {
    ...scripted,
    model,
    get remaining() {
      return replies.length - served;
    },
    total: replies.length,
  };
}

/**
 * The tool calls a recorded session made, in order, to compare with a replay's
 * `tool-call` events.
 *
 * @param source - The transcript's JSONL text, or its records.
 * @param options - Only this run's calls.
 * @returns The calls with their steps.
 */
export function recordedToolCalls(
  source: TranscriptSource,
  options: { runId?: string } = {},
): RecordedToolCall[] {
  const calls: RecordedToolCall[] = [];
  for (const record of toRecords(source)) {
    if (record.type !== "tool-call") continue;
    if (options.runId !== undefined && record.runId !== options.runId) continue;
    calls.push({ step: record.step, name: record.name, args: record.args });
  }
  return calls;
}
