import assert from "node:assert/strict";
import { test } from "node:test";
import { pageCount, paginate } from "../src/paginate.js";

const items = [1, 2, 3, 4, 5];

test("page 1 holds the first items", () => {
  assert.deepEqual(paginate(items, 1, 2), [1, 2]);
});

test("the last page may be short", () => {
  assert.deepEqual(paginate(items, 3, 2), [5]);
});

test("pageCount rounds up", () => {
  assert.equal(pageCount(items, 2), 3);
});
