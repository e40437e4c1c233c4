import { describe, expect, it } from "vitest";
import { HeadTailBuffer } from "./head-tail-buffer.js";

describe("HeadTailBuffer", () => {
  it("keeps everything while it fits", () => {
    const buffer = new HeadTailBuffer(4, 4);
    buffer.push(Buffer.from("abc"));
    buffer.push(Buffer.from("def"));
    expect(buffer.read()).toEqual({ head: "abcdef", tail: "", omittedBytes: 0 });
  });

  it("keeps the head and the tail and counts what it dropped", () => {
    const buffer = new HeadTailBuffer(3, 4);
    for (const piece of ["012", "345", "678", "9ab", "cdef"]) buffer.push(Buffer.from(piece));
    expect(buffer.read()).toEqual({ head: "012", tail: "cdef", omittedBytes: 9 });
    expect(buffer.totalBytes).toBe(16);
  });

  it("holds a bounded number of bytes however much is pushed", () => {
    const buffer = new HeadTailBuffer(1000, 1000);
    const chunk = Buffer.alloc(64 * 1024, 120);
    for (let i = 0; i < 500; i++) {
      buffer.push(chunk);
      expect(buffer.retainedBytes).toBeLessThanOrEqual(2000 + chunk.length);
    }
    expect(buffer.totalBytes).toBe(500 * chunk.length);
    const { head, tail, omittedBytes } = buffer.read();
    expect(head.length + tail.length + omittedBytes).toBe(buffer.totalBytes);
  });

  it("never splits a UTF-8 character at the cuts", () => {
    const buffer = new HeadTailBuffer(4, 5);
    buffer.push(Buffer.from("ééééééééééé"));
    const { head, tail } = buffer.read();
    expect(head).toBe("éé");
    expect(tail).toBe("éé");
    expect(`${head}${tail}`).not.toContain("\uFFFD");
  });
});
