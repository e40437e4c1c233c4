import { describe, expect, it } from "vitest";
import { decodeSse, SseDecoder } from "./sse.js";

async function* chunksOf(...texts: string[]): AsyncGenerator<Uint8Array> {
  for (const text of texts) yield new TextEncoder().encode(text);
}

async function events(...texts: string[]) {
  const result = [];
  for await (const event of decodeSse(chunksOf(...texts))) result.push(event);
  return result;
}

describe("decodeSse", () => {
  it("skips comment lines such as OpenRouter's keep-alive", async () => {
    expect(await events(': OPENROUTER PROCESSING\n\ndata: {"a":1}\n\n')).toEqual([
      { event: "message", data: '{"a":1}' },
    ]);
  });

  it("joins several data lines with a newline", async () => {
    expect(await events("data: one\ndata: two\n\n")).toEqual([
      { event: "message", data: "one\ntwo" },
    ]);
  });

  it("reads the event name and id, and takes data with or without the space", async () => {
    expect(await events('event: error\nid: 7\ndata:{"x":1}\n\n')).toEqual([
      { event: "error", id: "7", data: '{"x":1}' },
    ]);
  });

  it("drops an event cut off by the end of the body", async () => {
    expect(await events('data: done\n\ndata: {"partial"')).toEqual([
      { event: "message", data: "done" },
    ]);
  });

  it("handles an event delivered one byte at a time", async () => {
    const text = 'data: {"content":"é"}\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    async function* oneByOne() {
      for (const byte of bytes) yield Uint8Array.of(byte);
    }
    const result = [];
    for await (const event of decodeSse(oneByOne())) result.push(event);
    expect(result).toEqual([{ event: "message", data: '{"content":"é"}' }]);
  });

  it("ignores a blank line with no data pending", () => {
    const decoder = new SseDecoder();
    expect(decoder.push("")).toBeUndefined();
    expect(decoder.push("retry: 100")).toBeUndefined();
    expect(decoder.push("")).toBeUndefined();
  });
});
