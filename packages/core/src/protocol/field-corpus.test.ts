import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FinishReason } from "../provider/provider.js";
import { type ParseResult, parseReply } from "./parse-reply.js";
import { createReplyStream } from "./reply-stream.js";

interface FieldCase {
  id: string;
  source: string;
  model: string;
  text: string;
  finish?: FinishReason;
  expect: {
    kind: ParseResult["kind"];
    name?: string;
    args?: Record<string, unknown>;
    warning?: boolean;
    feedbackIncludes?: string;
  };
}

const corpus = JSON.parse(
  readFileSync(new URL("./__fixtures__/field-corpus.json", import.meta.url), "utf8"),
) as { tools: string[]; cases: FieldCase[] };
const toolNames = corpus.tools;

function check(result: ParseResult, expected: FieldCase["expect"]): void {
  expect(result.kind).toBe(expected.kind);
  if (result.kind === "call") {
    expect(result.call.name).toBe(expected.name);
    expect(result.call.args).toEqual(expected.args);
    expect(result.warning !== undefined).toBe(expected.warning === true);
  }
  if (result.kind === "invalid" && expected.feedbackIncludes !== undefined) {
    expect(result.feedback).toContain(expected.feedbackIncludes);
  }
}

/** What the agent parses: the stream stops at a completed call, so the text ends there. */
function streamed(text: string, size: number, finish: FinishReason): ParseResult {
  const stream = createReplyStream({ toolNames });
  for (let i = 0; i < text.length; i += size) stream.push(text.slice(i, i + size));
  if (!stream.complete) return stream.finish(finish);
  return parseReply(text.slice(0, stream.completeAt), { toolNames, finishReason: "stop-sequence" });
}

describe("field corpus", () => {
  it("gives every case a public source", () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(40);
    for (const fieldCase of corpus.cases) {
      expect(fieldCase.source, fieldCase.id).toMatch(/^https:\/\//);
      expect(fieldCase.model, fieldCase.id).not.toBe("");
    }
    expect(new Set(corpus.cases.map((c) => c.id)).size).toBe(corpus.cases.length);
  });

  describe.each(corpus.cases)("$id", (fieldCase) => {
    const finish = fieldCase.finish ?? "stop";

    it("is read by parseReply as expected", () => {
      check(parseReply(fieldCase.text, { toolNames, finishReason: finish }), fieldCase.expect);
    });

    it.each([1, 3, 16, 100_000])("is read the same when streamed in %i-char chunks", (size) => {
      check(streamed(fieldCase.text, size, finish), fieldCase.expect);
    });
  });
});
