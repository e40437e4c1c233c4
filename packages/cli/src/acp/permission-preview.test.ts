import { expect, it } from "vitest";
import { permissionPreview } from "./permission-preview.js";

it("shows the diff a write or an edit would make, and the whole command", () => {
  expect(permissionPreview("write_file", { path: "a.txt", content: "new\n" }, "/w", null)).toEqual([
    { type: "diff", path: "/w/a.txt", oldText: null, newText: "new\n" },
  ]);
  expect(
    permissionPreview(
      "edit_file",
      { path: "calc.py", old: "a - b", new: "a + b", edits: [{ old: "def", new: "async def" }] },
      "/w",
      "def add(a, b):\n    return a - b\n",
    ),
  ).toEqual([
    {
      type: "diff",
      path: "/w/calc.py",
      oldText: "def add(a, b):\n    return a - b\n",
      newText: "async def add(a, b):\n    return a + b\n",
    },
  ]);
  expect(
    permissionPreview("run_shell", { command: "npm test && rm -rf dist" }, "/w", undefined),
  ).toEqual([{ type: "content", content: { type: "text", text: "$ npm test && rm -rf dist" } }]);
});

it("shows no diff for an edit that would not apply (the tool reports why)", () => {
  expect(
    permissionPreview("edit_file", { path: "a", old: "missing", new: "x" }, "/w", "text"),
  ).toEqual([]);
});
