import { expect, it } from "vitest";
import * as root from "./index.js";
import * as walk from "./walk.js";

it("pins the runtime export list of @gemma-coder/tools/walk: the root's own walk", () => {
  expect(Object.keys(walk)).toEqual(["walkWorkspace"]);
  expect(walk.walkWorkspace).toBe(root.walkWorkspace);
});
