import { readFileSync } from "node:fs";
import path from "node:path";
import type { ChatMessage } from "@gemma-coder/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadHttpFixture, localLlamaFixtures } from "../testing/http-fixture.js";
import { type ChatTemplateFamily, detectChatTemplate, renderChatPrompt } from "./chat-template.js";

const FAMILIES: ChatTemplateFamily[] = ["gemma", "gemma4", "chatml", "llama3"];

describe("detectChatTemplate", () => {
  it("recognises the recorded server's Gemma template", () => {
    const props = JSON.parse(
      loadHttpFixture(path.join(localLlamaFixtures, "props.response.http")).body.toString("utf8"),
    );
    expect(detectChatTemplate(props.chat_template)).toBe("gemma");
  });

  it.each([
    ["{{ '<|turn>' + role + '\\n' }}", "gemma4"],
    ["{{ '<start_of_turn>' + role }}", "gemma"],
    ["{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>' }}", "llama3"],
    ["{{ '<|im_start|>' + message['role'] + '\\n' }}", "chatml"],
    ["{{ '[INST] ' + content + ' [/INST]' }}", undefined],
    [undefined, undefined],
  ])("reads %j as %s", (template, family) => {
    expect(detectChatTemplate(template)).toBe(family);
  });
});

describe("renderChatPrompt", () => {
  it("renders exactly the prompt the recorded requests sent", () => {
    const request = JSON.parse(
      readFileSync(path.join(localLlamaFixtures, "completion-stream.request.json"), "utf8"),
    );
    const rendered = renderChatPrompt("gemma", [
      { role: "user", content: "Fix the bug in src/api.py" },
    ]);
    expect(rendered.prompt).toBe(request.prompt);
    expect(rendered.endOfTurn).toBe("<end_of_turn>");
  });

  it("folds the Gemma system prompt into the first user turn", () => {
    const { prompt } = renderChatPrompt("gemma", [
      { role: "system", content: "Be brief." },
      { role: "user", content: " hi " },
      { role: "assistant", content: "<tool>\n{}\n</tool>" },
      { role: "user", content: "<tool_result>{}</tool_result>" },
    ]);
    expect(prompt).toBe(
      "<start_of_turn>user\nBe brief.\n\nhi<end_of_turn>\n" +
        "<start_of_turn>model\n<tool>\n{}\n</tool><end_of_turn>\n" +
        "<start_of_turn>user\n<tool_result>{}</tool_result><end_of_turn>\n" +
        "<start_of_turn>model\n",
    );
  });

  it("renders Gemma 4 with a native system turn", () => {
    expect(
      renderChatPrompt("gemma4", [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ]),
    ).toEqual({
      prompt: "<|turn>system\nBe brief.<turn|>\n<|turn>user\nhi<turn|>\n<|turn>model\n",
      parts: ["<|turn>system\nBe brief.<turn|>\n<|turn>user\nhi<turn|>\n<|turn>model\n"],
      endOfTurn: "<turn|>",
    });
  });

  it("never trims the model's own reply, in any family", () => {
    // A reply that began with a space token must come back with its space, or the
    // server re-tokenizes it differently and re-evaluates it every turn.
    const conversation: ChatMessage[] = [
      { role: "user", content: " hi " },
      { role: "assistant", content: " <tool>\n{}\n</tool>\n" },
      { role: "user", content: "ok" },
    ];
    for (const family of ["gemma", "gemma4", "chatml", "llama3"] as const) {
      const { prompt } = renderChatPrompt(family, conversation);
      expect(prompt, family).toContain(" <tool>\n{}\n</tool>\n");
    }
    expect(renderChatPrompt("gemma", conversation).prompt).toBe(
      "<start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n <tool>\n{}\n</tool>\n<end_of_turn>\n<start_of_turn>user\nok<end_of_turn>\n<start_of_turn>model\n",
    );
  });

  it("puts a reply's token ids in place of its text when given, in mixed form", () => {
    const conversation: ChatMessage[] = [
      { role: "user", content: "hi" },
      { role: "assistant", content: "<tool>x</tool>" },
      { role: "user", content: "ok" },
    ];
    const rendered = renderChatPrompt("gemma", conversation, { replyTokens: () => [7, 8, 9] });
    expect(rendered.parts).toEqual([
      "<start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n",
      7,
      8,
      9,
      "<end_of_turn>\n<start_of_turn>user\nok<end_of_turn>\n<start_of_turn>model\n",
    ]);
    // The text form stays the same prompt.
    expect(rendered.prompt).toBe(renderChatPrompt("gemma", conversation).prompt);
  });

  it("renders ChatML without trimming and Llama 3 with its headers", () => {
    const conversation: ChatMessage[] = [
      { role: "system", content: "S" },
      { role: "user", content: " u " },
    ];
    expect(renderChatPrompt("chatml", conversation).prompt).toBe(
      "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\n u <|im_end|>\n<|im_start|>assistant\n",
    );
    expect(renderChatPrompt("llama3", conversation).prompt).toBe(
      "<|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nu<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
    );
  });

  it("keeps a lone Gemma system prompt as a user turn", () => {
    expect(renderChatPrompt("gemma", [{ role: "system", content: "S" }]).prompt).toBe(
      "<start_of_turn>user\nS<end_of_turn>\n<start_of_turn>model\n",
    );
  });

  const text = fc.string({ maxLength: 40 });
  it.each(FAMILIES)(
    "%s: the prompt of turn N is a byte prefix of turn N+1's (the KV cache is reused)",
    (family) => {
      fc.assert(
        fc.property(
          text,
          fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 6 }),
          (system, turns) => {
            const conversation: ChatMessage[] = [{ role: "system", content: system }];
            let previous: string | undefined;
            for (const [user, reply] of turns) {
              conversation.push({ role: "user", content: user });
              const { prompt } = renderChatPrompt(family, conversation);
              if (previous !== undefined) expect(prompt.startsWith(previous)).toBe(true);
              previous = prompt;
              conversation.push({ role: "assistant", content: reply });
            }
          },
        ),
      );
    },
  );
});
