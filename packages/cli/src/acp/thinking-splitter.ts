import { THINKING_TAGS } from "@gemma-coder/core";

/** A piece of a streamed reply: thinking, or text meant for the reader. */
export interface ReplyPiece {
  /** `thought` inside a thinking block, `prose` outside. */
  kind: "thought" | "prose";
  /** The text, without the thinking block's tags. */
  text: string;
}

/** The length of the longest end of `text` that is the start of one of `tags`. */
function partialTagLength(text: string, tags: readonly string[]): number {
  let best = 0;
  for (const tag of tags) {
    for (let length = Math.min(tag.length - 1, text.length); length > best; length--) {
      if (text.endsWith(tag.slice(0, length))) {
        best = length;
        break;
      }
    }
  }
  return best;
}

/**
 * Splits one model reply, as it streams, into thinking (inside `<think>`, `<thought>`,
 * Gemma's `<|channel>` and the other blocks the protocol recognises) and the rest, so an
 * editor can show thinking apart and never sees the tags. A tag split across deltas is
 * held back until it is complete.
 */
export class ThinkingSplitter {
  private pending = "";
  private closer: string | undefined;

  /**
   * Adds a delta.
   *
   * @param delta - Streamed text.
   * @returns The pieces that are certain now (possibly none).
   */
  push(delta: string): ReplyPiece[] {
    this.pending += delta;
    const pieces: ReplyPiece[] = [];
    for (;;) {
      if (this.closer !== undefined) {
        const end = this.pending.indexOf(this.closer);
        if (end === -1) break;
        emit(pieces, "thought", this.pending.slice(0, end));
        this.pending = this.pending.slice(end + this.closer.length);
        this.closer = undefined;
        continue;
      }
      let first: { at: number; open: string; close: string } | undefined;
      for (const [open, close] of THINKING_TAGS) {
        const at = this.pending.indexOf(open);
        if (at !== -1 && (first === undefined || at < first.at)) first = { at, open, close };
      }
      if (!first) break;
      emit(pieces, "prose", this.pending.slice(0, first.at));
      this.pending = this.pending.slice(first.at + first.open.length);
      this.closer = first.close;
    }
    const tags = this.closer === undefined ? THINKING_TAGS.map(([open]) => open) : [this.closer];
    const keep = partialTagLength(this.pending, tags);
    emit(
      pieces,
      this.closer === undefined ? "prose" : "thought",
      this.pending.slice(0, this.pending.length - keep),
    );
    this.pending = this.pending.slice(this.pending.length - keep);
    return pieces;
  }

  /**
   * Ends the reply; an unclosed thinking block ends with it.
   *
   * @returns The rest.
   */
  end(): ReplyPiece[] {
    const pieces: ReplyPiece[] = [];
    emit(pieces, this.closer === undefined ? "prose" : "thought", this.pending);
    this.pending = "";
    this.closer = undefined;
    return pieces;
  }
}

function emit(pieces: ReplyPiece[], kind: ReplyPiece["kind"], text: string): void {
  if (text !== "") pieces.push({ kind, text });
}
