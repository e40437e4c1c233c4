/**
 * The cap on one model reply. A backend that ignores `maxTokens` (or a hostile one)
 * could otherwise stream without end: the run would be held, the reply kept in memory
 * and written whole to the transcript. The agent stops reading once either limit is
 * passed, closes the request, and treats the reply as an invalid one.
 */
export interface ReplyCap {
  /** Most characters of one reply. */
  maxChars: number;
  /**
   * Most text pieces of one reply. A streamed piece carries at least one token, so this
   * bounds the tokens too without a tokenizer.
   */
  maxPieces: number;
}

/** Characters per token allowed before a reply counts as too long: generous for code. */
const CHARS_PER_TOKEN_CAP = 8;
/** The smallest character cap, so a small output budget still leaves room for a call. */
const MIN_REPLY_CHARS = 16_000;
/** Pieces allowed beyond the output budget, for backends that split tokens. */
const PIECE_SLACK = 256;

/**
 * The cap for a run: `maxReplyChars` when given, else sized from the output budget
 * (8 characters per token, at least 16,000); pieces at twice the budget plus slack.
 *
 * @param maxOutputTokens - The output budget sent to the provider.
 * @param maxReplyChars - The caller's character cap, if any.
 * @returns The cap.
 */
export function replyCap(maxOutputTokens: number, maxReplyChars?: number): ReplyCap {
  return {
    maxChars: maxReplyChars ?? Math.max(MIN_REPLY_CHARS, maxOutputTokens * CHARS_PER_TOKEN_CAP),
    maxPieces: maxOutputTokens * 2 + PIECE_SLACK,
  };
}

/** Counts one reply against a {@link ReplyCap}. */
export class ReplyMeter {
  private chars = 0;
  private pieces = 0;
  /** Which limit was passed, once one was. */
  over: "chars" | "pieces" | undefined;

  /** @param cap - The limits. */
  constructor(readonly cap: ReplyCap) {}

  /**
   * Counts a piece and returns the part of it within the cap (all of it, until the cap
   * is passed). Once {@link ReplyMeter.over} is set, the caller stops reading.
   *
   * @param text - The piece as streamed.
   * @returns The text to keep.
   */
  take(text: string): string {
    this.pieces++;
    const room = this.cap.maxChars - this.chars;
    if (text.length > room) {
      this.over = "chars";
      this.chars = this.cap.maxChars;
      return text.slice(0, Math.max(0, room));
    }
    this.chars += text.length;
    if (this.pieces > this.cap.maxPieces) this.over = "pieces";
    return text;
  }
}

/**
 * What the model is told after a reply was cut for its size: short, so the feedback
 * does not itself fill the context.
 *
 * @param meter - The meter that was passed.
 * @returns The feedback text.
 */
export function oversizeFeedback(meter: ReplyMeter): string {
  const limit =
    meter.over === "pieces" ? `${meter.cap.maxPieces} tokens` : `${meter.cap.maxChars} characters`;
  return `Your reply was longer than ${limit}, so it was cut off and not used. Reply with one short tool call.`;
}

/** Characters of a cut reply kept in the conversation; the rest is noise to the model. */
export const OVERSIZE_HISTORY_CHARS = 1_000;
