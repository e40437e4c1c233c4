import { describe, expect, it } from "vitest";
import type { ModelProvider, StreamPart } from "../provider/provider.js";
import { createMemorySessionStore } from "../session/memory-session-store.js";
import { toolCallText } from "../testing/scripted-model.js";
import { Agent } from "./agent.js";
import { ReplyMeter, replyCap } from "./reply-cap.js";

/** A backend that ignores maxTokens: each turn streams `piece` until the agent stops reading. */
function endlessModel(piece: string | (() => string), thenReply?: string) {
  const state = { turns: 0, closed: 0, streamedChars: 0 };
  const provider: ModelProvider = {
    id: "endless",
    async *streamChat(): AsyncGenerator<StreamPart> {
      state.turns++;
      if (thenReply !== undefined && state.turns > 1) {
        yield { type: "text-delta", text: thenReply };
        yield { type: "finish", reason: "stop" };
        return;
      }
      try {
        for (;;) {
          const text = typeof piece === "string" ? piece : piece();
          state.streamedChars += text.length;
          yield { type: "text-delta", text };
        }
      } finally {
        state.closed++;
      }
    },
  };
  return { provider, state };
}

describe("the reply cap", () => {
  it("sizes the default from the output budget", () => {
    expect(replyCap(2048)).toEqual({ maxChars: 16_384, maxPieces: 4352 });
    expect(replyCap(256).maxChars).toBe(16_000);
    expect(replyCap(2048, 500).maxChars).toBe(500);
  });

  it("keeps only the part of a piece within the cap", () => {
    const meter = new ReplyMeter({ maxChars: 10, maxPieces: 100 });
    expect(meter.take("abcdef")).toBe("abcdef");
    expect(meter.over).toBeUndefined();
    expect(meter.take("ghijkl")).toBe("ghij");
    expect(meter.over).toBe("chars");
  });

  it("stops an endless reply, closes the stream, records only a capped reply and ends the run", async () => {
    // Text with no short period, so the spiral detector leaves it to the cap.
    let seed = 7;
    const varied = Array.from({ length: 1000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return String.fromCharCode(97 + (seed % 26));
    }).join("");
    const { provider, state } = endlessModel(varied);
    const session = createMemorySessionStore();
    const agent = new Agent({ provider, rules: false, session, maxReplyChars: 5000 });
    const feedback: string[] = [];
    agent.on("invalid-reply", (event) => feedback.push(event.feedback));

    const result = await agent.run("do it");

    expect(result).toMatchObject({ status: "failed", stopReason: "invalid-replies" });
    expect(result.message).toMatch(/longer than 5000 characters/);
    expect(state).toMatchObject({ turns: 3, closed: 3 });
    // Reading stopped at the cap: at most one piece past it per turn.
    expect(state.streamedChars).toBeLessThanOrEqual(3 * 6000);
    expect(feedback).toHaveLength(3);
    const records = (await session.load(result.sessionId as string)).records;
    const replies = records.filter((record) => record.type === "reply");
    expect(replies).toHaveLength(3);
    for (const reply of replies) {
      expect(reply).toMatchObject({ finishReason: "length" });
      expect((reply as { text: string }).text.length).toBe(5000);
    }
    // The conversation keeps a short head of the cut reply, not all of it.
    const last = result.messages.filter((message) => message.role === "assistant").at(-1);
    expect(last?.content.length).toBeLessThanOrEqual(1000);
  });

  it("cuts a stream of tiny pieces by count (a token bound without a tokenizer)", async () => {
    // Tiny pieces with no short period, so the spiral detector leaves them to the cap.
    let seed = 11;
    const { provider, state } = endlessModel(() => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return String.fromCharCode(97 + (seed % 26));
    });
    const agent = new Agent({ provider, rules: false, maxOutputTokens: 100, maxInvalidReplies: 1 });
    const result = await agent.run("do it");
    expect(result.stopReason).toBe("invalid-replies");
    expect(result.message).toMatch(/longer than 456 tokens/);
    expect(state.closed).toBe(1);
  });

  it("recovers when the next reply is a normal call", async () => {
    const { provider } = endlessModel("y".repeat(4096), toolCallText("done", { summary: "ok" }));
    const agent = new Agent({ provider, rules: false, maxReplyChars: 10_000 });
    const result = await agent.run("do it");
    expect(result).toMatchObject({ status: "done", summary: "ok" });
  });

  it("refuses a cap that is not a positive integer", () => {
    const { provider } = endlessModel("z");
    expect(() => new Agent({ provider, maxReplyChars: 0 })).toThrow(/maxReplyChars/);
  });
});
