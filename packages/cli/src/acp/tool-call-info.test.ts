import { expect, it } from "vitest";
import { describeToolCall } from "./tool-call-info.js";

it("gives each tool its ACP kind, a short title and absolute locations", () => {
  expect(describeToolCall("read_file", { path: "src/a.ts", start_line: 12 }, "/w")).toEqual({
    kind: "read",
    title: "Read src/a.ts",
    locations: [{ path: "/w/src/a.ts", line: 12 }],
  });
  expect(describeToolCall("edit_file", { path: "a.py", old: "x", new: "y" }, "/w")).toMatchObject({
    kind: "edit",
    title: "Edit a.py",
    locations: [{ path: "/w/a.py" }],
  });
  expect(describeToolCall("search", { pattern: "TODO" }, "/w")).toMatchObject({
    kind: "search",
    title: "Search for TODO",
    locations: [],
  });
  expect(describeToolCall("run_shell", { command: "npm test\necho done" }, "/w")).toMatchObject({
    kind: "execute",
    title: "Run npm test…",
  });
  expect(describeToolCall("mystery", {}, "/w").kind).toBe("other");
});
