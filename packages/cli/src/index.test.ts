import { expect, it } from "vitest";

it("pins the runtime export list of @gemma-coder/cli", async () => {
  expect(Object.keys(await import("./index.js")).sort()).toEqual([
    "EXIT_CODES",
    "HELP_TEXT",
    "main",
  ]);
});
