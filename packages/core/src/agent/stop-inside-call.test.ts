import { describe, expect, it } from "vitest";
import { stoppedInsideCallString } from "./stop-inside-call.js";

describe("stoppedInsideCallString", () => {
  const cut = '<tool>\n{"name": "note", "args": {"text": "A call ends with ';

  it("tells a stop inside a call's string from a stop after the call", () => {
    expect(stoppedInsideCallString(cut, "stop-sequence")).toBe(true);
    expect(stoppedInsideCallString(`<TOOL>\n${cut.slice(7)}`, "stop-sequence")).toBe(true);
    expect(stoppedInsideCallString('<tool>\n{"name": "done", "args": {}}\n', "stop-sequence")).toBe(
      false,
    );
  });

  it("leaves alone what a stop sequence did not cut, and cuts outside a string", () => {
    // The model ended its turn, or ran out of tokens: not a stop sequence's doing.
    expect(stoppedInsideCallString(cut, "stop")).toBe(false);
    expect(stoppedInsideCallString(cut, "length")).toBe(false);
    // Cut between values: the stop was not inside a string.
    expect(stoppedInsideCallString('<tool>\n{"name": "note", "args": {', "stop-sequence")).toBe(
      false,
    );
    expect(stoppedInsideCallString('I will write "</tool>" now', "stop-sequence")).toBe(false);
  });
});
