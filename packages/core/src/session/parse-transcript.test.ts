import { describe, expect, it } from "vitest";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { formatTranscriptLine, parseTranscript } from "./parse-transcript.js";
import type { TranscriptRecord } from "./transcript-record.js";

const header: TranscriptRecord = {
  v: 1,
  time: 1,
  type: "session",
  format: "gemma-coder-transcript",
  sessionId: "s1",
};
const notice: TranscriptRecord = {
  v: 1,
  time: 2,
  type: "notice",
  runId: "r1",
  kind: "retry",
  message: "retrying",
};

function text(...lines: unknown[]): string {
  return lines
    .map((line) => (typeof line === "string" ? `${line}\n` : `${JSON.stringify(line)}\n`))
    .join("");
}

function failure(fn: () => unknown): GemmaCoderError {
  try {
    fn();
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a GemmaCoderError");
}

describe("parseTranscript", () => {
  it("reads what formatTranscriptLine writes, one record per line", () => {
    const source = formatTranscriptLine(header) + formatTranscriptLine(notice);
    expect(source.split("\n")).toHaveLength(3);
    const loaded = parseTranscript(source);
    expect(loaded).toEqual({ sessionId: "s1", records: [header, notice], warnings: [] });
  });

  it("drops an incomplete last line with a warning", () => {
    const whole = formatTranscriptLine(header) + formatTranscriptLine(notice);
    const cut = whole.slice(0, -10);
    const loaded = parseTranscript(cut);
    expect(loaded.records).toEqual([header]);
    expect(loaded.warnings[0]).toMatch(/incomplete line 2/);
  });

  it("accepts a complete last record that lost only its newline", () => {
    const source = formatTranscriptLine(header) + JSON.stringify(notice);
    expect(parseTranscript(source).records).toEqual([header, notice]);
  });

  it("skips unknown record types, malformed records and broken middle lines, saying so", () => {
    const source = text(
      header,
      { v: 1, time: 3, type: "hologram", runId: "r1" },
      { v: 1, time: 3, type: "notice", runId: "r1" },
      "{not json",
      notice,
    );
    const loaded = parseTranscript(source);
    expect(loaded.records).toEqual([header, notice]);
    expect(loaded.warnings).toHaveLength(3);
    expect(loaded.warnings[0]).toMatch(/record type this version does not know \("hologram"\)/);
    expect(loaded.warnings[1]).toMatch(/Line 3 \(notice\) is malformed at kind/);
    expect(loaded.warnings[2]).toMatch(/Line 4 is not valid JSON/);
  });

  it("keeps fields a later minor version added", () => {
    const loaded = parseTranscript(text(header, { ...notice, extra: 42 }));
    expect(loaded.records[1]).toMatchObject({ extra: 42 });
  });

  it("refuses a newer format version with a clear unsupported error", () => {
    const error = failure(() => parseTranscript(text(header, { ...notice, v: 2 }), "Session x"));
    expect(error.code).toBe("unsupported");
    expect(error.message).toMatch(
      /newer gemma-coder \(transcript format v2; this version reads v1\)/,
    );
  });

  it("refuses files that are not transcripts", () => {
    expect(failure(() => parseTranscript("hello\n")).message).toMatch(
      /not a gemma-coder transcript/,
    );
    expect(failure(() => parseTranscript(text({ type: "session" }))).message).toMatch(
      /pre-release version/,
    );
    expect(failure(() => parseTranscript(text(notice))).message).toMatch(/session header/);
    expect(failure(() => parseTranscript("")).message).toMatch(/empty/);
    expect(failure(() => parseTranscript(text([1, 2]))).code).toBe("invalid-argument");
  });
});
