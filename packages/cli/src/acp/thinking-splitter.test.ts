import { expect, it } from "vitest";
import { type ReplyPiece, ThinkingSplitter } from "./thinking-splitter.js";

/** Feeds a reply in pieces of `size` characters and joins what comes out by kind. */
function split(reply: string, size: number): { thought: string; prose: string } {
  const splitter = new ThinkingSplitter();
  const pieces: ReplyPiece[] = [];
  for (let i = 0; i < reply.length; i += size)
    pieces.push(...splitter.push(reply.slice(i, i + size)));
  pieces.push(...splitter.end());
  const join = (kind: string) =>
    pieces
      .filter((piece) => piece.kind === kind)
      .map((piece) => piece.text)
      .join("");
  return { thought: join("thought"), prose: join("prose") };
}

it("routes thinking blocks apart and drops their tags, however the stream is cut", () => {
  const reply =
    "<think>the bug is in add</think>I will fix it.\n<|channel>check tests<channel|>Done.";
  for (const size of [1, 2, 3, 7, 100]) {
    expect(split(reply, size)).toEqual({
      thought: "the bug is in addcheck tests",
      prose: "I will fix it.\nDone.",
    });
  }
});

it("keeps text that only looks like the start of a tag", () => {
  expect(split("a < b and <thin ice", 1)).toEqual({ thought: "", prose: "a < b and <thin ice" });
});

it("ends an unclosed thinking block with the reply", () => {
  expect(split("<thought>still thinking", 4)).toEqual({ thought: "still thinking", prose: "" });
});
