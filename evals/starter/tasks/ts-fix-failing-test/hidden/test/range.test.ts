import assert from "node:assert/strict";
import { test } from "node:test";
import { range } from "../src/range.ts";

test("counts up to, not including, the end", () => {
  assert.deepEqual(range(0, 3), [0, 1, 2]);
});
test("takes a step", () => {
  assert.deepEqual(range(0, 10, 5), [0, 5]);
});
test("an empty range is empty", () => {
  assert.deepEqual(range(2, 2), []);
});
