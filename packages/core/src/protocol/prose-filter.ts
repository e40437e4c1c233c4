/** Where a tool call starts in a reply, in every spelling the parser accepts. */
const CALL_OPENERS = ["<tool", "<|tool_call", "<function", "<|channel"];

function isFence(line: string): boolean {
  return /^\s*(```|~~~)/.test(line);
}

/** Whether a partial line could still turn into a call opener or a fence. */
function mightOpen(partial: string): boolean {
  const text = partial.trimStart();
  if (text === "") return true;
  if (text.startsWith("`") || text.startsWith("~")) return true;
  return CALL_OPENERS.some((opener) => opener.startsWith(text) || text.startsWith(opener));
}

/**
 * Splits one model reply, as it streams, into the prose a person wants to read and the
 * tool-call markup they do not (the call is shown as its own line instead). Text is
 * released as soon as it cannot be the start of a call; a code fence right before a
 * call is dropped with it. Work is linear in the reply's length.
 */
export class ProseFilter {
  private pending = "";
  private hidden = false;
  private printedAny = false;
  private scanFrom = 0;

  /** Whether the reply has reached a tool call (everything after it is hidden). */
  get hiding(): boolean {
    return this.hidden;
  }

  /**
   * Adds a delta.
   *
   * @param delta - Streamed text.
   * @returns The text safe to show now (possibly empty).
   */
  push(delta: string): string {
    if (this.hidden) return "";
    this.pending += delta;
    const opener = this.findOpener();
    if (opener !== -1) {
      this.hidden = true;
      const before = this.pending.slice(0, opener);
      this.pending = "";
      return this.release(stripTrailingFence(before).trimEnd());
    }
    // Release whole lines, keeping back trailing fence or blank lines (a call may follow)
    // and a last partial line that could still become an opener.
    let cut = this.pending.length;
    const lastBreak = this.pending.lastIndexOf("\n");
    const partial = this.pending.slice(lastBreak + 1);
    if (mightOpen(partial)) cut = lastBreak + 1;
    else {
      // A call can also start mid-line: keep back a "<" that may grow into an opener.
      const lt = partial.lastIndexOf("<");
      const rest = lt === -1 ? "" : partial.slice(lt);
      if (rest !== "" && CALL_OPENERS.some((opener) => opener.startsWith(rest))) {
        cut = lastBreak + 1 + lt;
      }
    }
    let lineStart = cut;
    while (cut === lastBreak + 1 && lineStart > 0) {
      // lastIndexOf treats a negative start as 0, which would find the break at 0 forever.
      const prevBreak = lineStart < 2 ? -1 : this.pending.lastIndexOf("\n", lineStart - 2);
      const line = this.pending.slice(prevBreak + 1, lineStart - 1);
      if (line.trim() !== "" && !isFence(line)) break;
      lineStart = prevBreak + 1;
    }
    cut = lineStart;
    // Trailing whitespace waits for what follows: the reply may end (or a call start) there.
    while (cut > 0 && /\s/.test(this.pending[cut - 1] ?? "")) cut--;
    const out = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    this.scanFrom = 0;
    return this.release(out);
  }

  /**
   * Ends the reply.
   *
   * @returns The rest of the prose (without a dangling fence or trailing blank lines).
   */
  end(): string {
    const rest = this.hidden ? "" : stripTrailingFence(this.pending).trimEnd();
    this.pending = "";
    this.hidden = false;
    this.scanFrom = 0;
    const out = this.release(rest);
    this.printedAny = false;
    return out;
  }

  private release(text: string): string {
    // Leading blank lines of a reply are noise.
    const out = this.printedAny ? text : text.replace(/^\s*\n/, "");
    if (out !== "") this.printedAny = true;
    return out;
  }

  private findOpener(): number {
    // Only the tail that could not be checked before (plus an opener's length) is scanned.
    const from = Math.max(0, this.scanFrom - 16);
    let best = -1;
    for (const opener of CALL_OPENERS) {
      const at = this.pending.indexOf(opener, from);
      if (at !== -1 && (best === -1 || at < best)) best = at;
    }
    this.scanFrom = this.pending.length;
    return best;
  }
}

function stripTrailingFence(text: string): string {
  const lines = text.split("\n");
  while (lines.length > 0) {
    const last = lines[lines.length - 1] ?? "";
    if (last.trim() === "" || isFence(last)) lines.pop();
    else break;
  }
  return lines.join("\n");
}
