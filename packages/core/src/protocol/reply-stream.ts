import type { FinishReason } from "../provider/provider.js";
import { JsonScanner } from "./json-scan.js";
import { type ParseResult, parseReply } from "./parse-reply.js";
import { CALL_TAGS, GEMMA_CALL_OPEN, THINKING_TAGS } from "./tags.js";

/** Options of {@link createReplyStream}. */
export interface ReplyStreamOptions {
  /** The names of the tools on offer. */
  toolNames: readonly string[];
}

/**
 * An incremental reply parser. Feed it text deltas as they stream in; it tells,
 * as early as possible, that a complete call has arrived so the caller can stop
 * generation. Each character is looked at once, so the cost is linear in the reply
 * length however it is chunked.
 */
export interface ReplyStream {
  /**
   * Feeds a delta.
   *
   * @returns `true` once a complete call has arrived (and from then on).
   */
  push(delta: string): boolean;
  /** Whether a complete call has arrived. */
  readonly complete: boolean;
  /** The offset in the reply just past the character that completed the call, or -1. */
  readonly completeAt: number;
  /** The text received so far. */
  readonly text: string;
  /**
   * Parses the reply received so far, exactly as {@link parseReply} would. When the
   * caller stopped early on a complete call, pass `"stop-sequence"`.
   */
  finish(finishReason?: FinishReason): ParseResult;
}

type State =
  | { mode: "text" }
  | { mode: "thinking"; close: string }
  | { mode: "call"; close: string; json: JsonScanner | undefined };

// long-function: a factory: the incremental parser's state lives in its closure and the returned methods are short
/**
 * Creates a {@link ReplyStream}.
 *
 * @param options - The tool names on offer.
 * @returns A fresh stream parser for one reply.
 */
export function createReplyStream(options: ReplyStreamOptions): ReplyStream {
  const chunks: string[] = [];
  let joined: string | undefined;
  let length = 0;
  let state: State = { mode: "text" };
  let started = false;
  let completeAt = -1;

  // The last `n` characters received before the current delta. Only needed when a
  // `>` arrives, so ordinary characters cost nothing beyond the scan itself.
  const before = (n: number): string => {
    let out = "";
    for (let c = chunks.length - 2; c >= 0 && out.length < n; c--) {
      out = (chunks[c] as string).slice(out.length - n) + out;
    }
    return out;
  };

  // Whether `tag` ends at delta[i], possibly starting in earlier chunks.
  const endsAt = (delta: string, i: number, tag: string): boolean => {
    const inDelta = Math.min(tag.length, i + 1);
    if (!delta.startsWith(tag.slice(tag.length - inDelta), i + 1 - inDelta)) return false;
    return (
      inDelta === tag.length || before(tag.length - inDelta) === tag.slice(0, tag.length - inDelta)
    );
  };

  const scan = (delta: string, offset: number): void => {
    for (let i = 0; i < delta.length; i++) {
      const ch = delta.charAt(i);
      if (state.mode === "call") {
        // A close tag inside a JSON string is data (the agent writing about this protocol);
        // Gemma's native body is not JSON, so only its close token ends it.
        if (
          state.json?.push(ch) ||
          (ch === ">" && state.close !== "" && !state.json?.quote && endsAt(delta, i, state.close))
        ) {
          completeAt = offset + i + 1;
          return;
        }
        continue;
      }
      if (!started && ch.trim() !== "") {
        started = true;
        // A reply that opens with "{" is a bare JSON call (the JSON-only protocol):
        // follow its nesting, so tags inside its strings are data, as parseReply reads them.
        if (ch === "{" && state.mode === "text") {
          const json = new JsonScanner();
          json.push(ch);
          state = { mode: "call", close: "", json };
          continue;
        }
      }
      if (ch !== ">") continue;
      if (state.mode === "thinking") {
        if (endsAt(delta, i, state.close)) state = { mode: "text" };
        continue;
      }
      const thinking = THINKING_TAGS.find(([open]) => endsAt(delta, i, open));
      if (thinking) {
        state = { mode: "thinking", close: thinking[1] };
        continue;
      }
      const call = CALL_TAGS.find(([open]) => endsAt(delta, i, open));
      if (call) {
        const json = call[0] === GEMMA_CALL_OPEN ? undefined : new JsonScanner();
        state = { mode: "call", close: call[1], json };
      }
    }
  };

  return {
    push(delta: string): boolean {
      if (delta === "") return completeAt !== -1;
      chunks.push(delta);
      joined = undefined;
      if (completeAt === -1) scan(delta, length);
      length += delta.length;
      return completeAt !== -1;
    },
    get complete() {
      return completeAt !== -1;
    },
    get completeAt() {
      return completeAt;
    },
    get text() {
      if (joined === undefined) {
        joined = chunks.join("");
        chunks.length = 0;
        chunks.push(joined);
      }
      return joined;
    },
    finish(finishReason?: FinishReason): ParseResult {
      return parseReply(this.text, { toolNames: options.toolNames, finishReason });
    },
  };
}
