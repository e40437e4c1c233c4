import { describe, expect, it } from "vitest";
import { MAX_TOOL_NAME_LENGTH, mcpToolName, uniqueToolName } from "./tool-name.js";

const VALID = /^[a-z][a-z0-9_]{0,63}$/;

describe("mcpToolName", () => {
  it("joins server and tool with a double underscore, turning other characters into _", () => {
    expect(mcpToolName("everything", "get-sum")).toBe("everything__get_sum");
    expect(mcpToolName("My Server", "read.File v2")).toBe("my_server__read_file_v2");
  });

  it("starts with a letter and keeps within 64 characters, long names kept apart", () => {
    expect(mcpToolName("7zip", "pack")).toBe("mcp_7zip__pack");
    const a = mcpToolName("server", `${"x".repeat(80)}a`);
    const b = mcpToolName("server", `${"x".repeat(80)}b`);
    expect(a).toMatch(VALID);
    expect(a.length).toBeLessThanOrEqual(MAX_TOOL_NAME_LENGTH);
    expect(a).not.toBe(b);
  });

  it("gives a valid name for names with nothing usable in them", () => {
    expect(mcpToolName("ünï", "—")).toMatch(VALID);
    expect(mcpToolName("", "")).toBe("server__tool");
  });
});

describe("uniqueToolName", () => {
  it("numbers names that collide", () => {
    const taken = new Set<string>();
    expect(uniqueToolName("s__get_sum", taken)).toBe("s__get_sum");
    expect(uniqueToolName("s__get_sum", taken)).toBe("s__get_sum_2");
    const long = "a".repeat(64);
    expect(uniqueToolName(long, taken)).toBe(long);
    expect(uniqueToolName(long, taken)).toHaveLength(64);
  });
});
