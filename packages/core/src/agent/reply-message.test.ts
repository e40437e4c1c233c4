import { describe, expect, it } from "vitest";
import type { ReplyTokens } from "../provider/provider.js";
import { replyMessage } from "./reply-message.js";

const tokens = (text: string): ReplyTokens => ({ provider: "p", ids: [1, 2, 3], text });
const call = '<tool>\n{"name": "done", "args": {"summary": "ok"}}';

describe("replyMessage", () => {
  it("keeps the reply exactly as generated when the provider reports its tokens", () => {
    // The model wrote the close tag right after the brace; the history must not move it.
    const exact = tokens(`${call}</tool>`);
    expect(replyMessage(call, true, exact)).toEqual({
      role: "assistant",
      content: `${call}</tool>`,
      tokens: exact,
    });
    const spaced = tokens(` ${call}\n</tool>`);
    expect(replyMessage(` ${call}`, true, spaced).content).toBe(` ${call}\n</tool>`);
  });

  it("drops tokens that no longer spell the reply the agent kept", () => {
    // The agent cut the reply after a complete call: the model ran on past it.
    const ranOn = tokens(`${call}\nmore text`);
    expect(replyMessage(call, true, ranOn)).toEqual({
      role: "assistant",
      content: `${call}\n</tool>`,
    });
  });

  it("without tokens, closes a call as before", () => {
    expect(replyMessage(`${call}  `, true, undefined)).toEqual({
      role: "assistant",
      content: `${call}\n</tool>`,
    });
  });
});
