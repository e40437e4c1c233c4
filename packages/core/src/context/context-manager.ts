import { truncateMiddle } from "../protocol/tool-result.js";
import type { ChatMessage } from "../provider/provider.js";
import { estimateTokens } from "./estimate-tokens.js";

/** Counts the tokens of a text, exactly (provider tokenizer) or by estimate. */
export type TokenCounter = (text: string) => number | Promise<number>;

/** Writes a summary of the middle of a conversation; the context manager guarantees the input fits. */
export type Summarizer = (request: readonly ChatMessage[]) => Promise<string>;

/** What one {@link ContextManager.fit} call did. */
export interface ContextChange {
  /** `elide`: old tool results replaced by stubs; `compact`: the middle replaced by a summary. */
  kind: "elide" | "compact";
  /** Estimated tokens before. */
  tokensBefore: number;
  /** Estimated tokens after. */
  tokensAfter: number;
  /** Messages changed or removed. */
  messages: number;
}

/** Options of {@link ContextManager}. */
export interface ContextManagerOptions {
  /** The prompt budget in tokens (context window minus the reply's reserve). */
  budget: number;
  /** Counts tokens; defaults to {@link estimateTokens}. */
  count?: TokenCounter;
  /** Messages at the end that are never elided or summarised. Default 4 (two turns). */
  keepRecent?: number;
  /** After trimming, aim this far below the budget so trimming stays rare. Default 0.6. */
  lowWater?: number;
}

/** Per-message overhead of chat templates (role markers, turn separators). */
const MESSAGE_OVERHEAD = 4;
const ELIDED_NOTE = "elided to save context; call the tool again if you still need it";
const SUMMARY_HEADER = "Progress so far (summary of earlier turns):";

const SUMMARY_SYSTEM =
  "You summarise the work of a coding agent so it can continue. Write at most 12 short lines: files read and what matters in them, changes made (file and what), commands run and their outcome, what is left to do. No preamble.";

/**
 * Keeps a conversation inside a token budget for a small context window.
 *
 * The prompt stays append-only, so the backend's KV cache is reused, until the
 * budget runs short. Then, in one step, old tool results are elided (the task, the
 * rulebook and the latest turns are kept), aiming well below the budget so it does
 * not happen again soon. When that is not enough, one summarising call replaces
 * the middle of the history; the summary request itself is cut to fit.
 */
export class ContextManager {
  private readonly budget: number;
  private readonly counter: TokenCounter;
  private readonly keepRecent: number;
  private readonly lowWater: number;
  private readonly counts = new WeakMap<ChatMessage, number>();

  /**
   * Creates a context manager.
   *
   * @param options - The budget and how to count.
   */
  constructor(options: ContextManagerOptions) {
    this.budget = options.budget;
    this.counter = options.count ?? estimateTokens;
    this.keepRecent = options.keepRecent ?? 4;
    this.lowWater = options.lowWater ?? 0.6;
  }

  /** Tokens of one message, counted once per message object. */
  async countMessage(message: ChatMessage): Promise<number> {
    let tokens = this.counts.get(message);
    if (tokens === undefined) {
      try {
        tokens = (await this.counter(message.content)) + MESSAGE_OVERHEAD;
      } catch {
        // An exact counter that fails (server gone) must not stop the run.
        tokens = estimateTokens(message.content) + MESSAGE_OVERHEAD;
      }
      this.counts.set(message, tokens);
    }
    return tokens;
  }

  /** Tokens of a whole conversation. */
  async countAll(messages: readonly ChatMessage[]): Promise<number> {
    let total = 0;
    for (const message of messages) total += await this.countMessage(message);
    return total;
  }

  /**
   * Makes the conversation fit the budget, changing it in place as rarely as possible.
   *
   * @param messages - System prompt, task, then turns. Modified in place.
   * @param summarize - Makes the summarising call, used when elision is not enough.
   * @returns What was done, in order (empty when the conversation already fit).
   */
  async fit(messages: ChatMessage[], summarize?: Summarizer): Promise<ContextChange[]> {
    const changes: ContextChange[] = [];
    let total = await this.countAll(messages);
    if (total <= this.budget) return changes;
    const target = Math.floor(this.budget * this.lowWater);

    // 1. Elide old tool results, oldest first, then long old replies.
    const before = total;
    let changed = 0;
    const protectedFrom = Math.max(2, messages.length - this.keepRecent);
    for (const pass of ["results", "replies"] as const) {
      for (let i = 2; i < protectedFrom && total > target; i++) {
        const message = messages[i] as ChatMessage;
        const replacement = this.elide(message, pass);
        if (replacement === undefined) continue;
        const saved = (await this.countMessage(message)) - (await this.countMessage(replacement));
        if (saved <= 0) continue;
        messages[i] = replacement;
        total -= saved;
        changed++;
      }
    }
    if (changed > 0) {
      changes.push({ kind: "elide", tokensBefore: before, tokensAfter: total, messages: changed });
    }
    if (total <= this.budget) return changes;

    // 2. Compact: one summarising call replaces the middle.
    const compactBefore = total;
    const start = 2;
    let end = messages.length - this.keepRecent;
    // Keep the roles alternating: the kept tail must start with the model's turn.
    while (end < messages.length && messages[end]?.role !== "assistant") end++;
    if (end > start) {
      await this.compact(messages, start, end, summarize);
      total = await this.countAll(messages);
      changes.push({
        kind: "compact",
        tokensBefore: compactBefore,
        tokensAfter: total,
        messages: end - start,
      });
    }
    if (total <= this.budget) return changes;

    // 3. The latest turns alone are too big: cut each of them hard, head and tail kept.
    const cutBefore = total;
    let cut = 0;
    for (let i = 2; i < messages.length && total > this.budget; i++) {
      const message = messages[i] as ChatMessage;
      const shorter = { ...message, content: truncateMiddle(message.content, 1_000, ELIDED_NOTE) };
      if (shorter.content === message.content) continue;
      total -= (await this.countMessage(message)) - (await this.countMessage(shorter));
      messages[i] = shorter;
      cut++;
    }
    if (cut > 0)
      changes.push({ kind: "elide", tokensBefore: cutBefore, tokensAfter: total, messages: cut });
    return changes;
  }

  private async compact(
    messages: ChatMessage[],
    start: number,
    end: number,
    summarize: Summarizer | undefined,
  ): Promise<void> {
    const task = messages[1] as ChatMessage;
    const originalTask = task.content.split(`\n\n${SUMMARY_HEADER}`)[0] as string;
    const middle = messages.slice(start, end);
    let summary: string;
    try {
      if (!summarize) throw new Error("no summarizer");
      summary = (await summarize(await this.summaryRequest(originalTask, middle))).trim();
    } catch {
      summary = "";
    }
    if (summary === "") {
      summary = `(${middle.length} earlier messages were dropped to fit the context window.)`;
    }
    const merged: ChatMessage = {
      role: "user",
      content: `${originalTask}\n\n${SUMMARY_HEADER}\n${summary}`,
    };
    messages.splice(1, end - 1, merged);
  }

  /** Builds the summary request, cutting the transcript so the request fits the budget. */
  private async summaryRequest(
    task: string,
    middle: readonly ChatMessage[],
  ): Promise<ChatMessage[]> {
    const transcript = middle.map((m) => `[${m.role}]\n${m.content}`).join("\n\n");
    const frame = `Task: ${task}\n\nTranscript:\n`;
    const fixed = (await this.counter(SUMMARY_SYSTEM + frame)) + 3 * MESSAGE_OVERHEAD;
    // Leave room for the summary itself (~400 tokens).
    const room = Math.max(200, this.budget - fixed - 400);
    let text = transcript;
    let tokens = await this.counter(text);
    while (tokens > room && text.length > 200) {
      text = truncateMiddle(text, Math.floor((text.length * room * 0.9) / tokens));
      tokens = await this.counter(text);
    }
    return [
      { role: "system", content: SUMMARY_SYSTEM },
      { role: "user", content: `${frame}${text}` },
    ];
  }

  private elide(message: ChatMessage, pass: "results" | "replies"): ChatMessage | undefined {
    if (pass === "results") {
      if (message.role !== "user" || !message.content.startsWith("<tool_result>")) return undefined;
      if (message.content.includes(ELIDED_NOTE)) return undefined;
      const ok = message.content.includes('"ok":true');
      const payload = ok
        ? { ok: true, value: `[${ELIDED_NOTE}]` }
        : { ok: false, error: `[${ELIDED_NOTE}]` };
      return { role: "user", content: `<tool_result>\n${JSON.stringify(payload)}\n</tool_result>` };
    }
    if (message.role !== "assistant" || message.content.length <= 600) return undefined;
    return { role: "assistant", content: truncateMiddle(message.content, 300, ELIDED_NOTE) };
  }
}
