import assert from "node:assert/strict";
import { test } from "node:test";
import { Queue } from "../src/queue.ts";

test("queue", () => {
  const queue = new Queue<number>(2);
  assert.equal(queue.push(1), true);
  assert.equal(queue.push(2), true);
  assert.equal(queue.push(3), false);
  assert.equal(queue.size, 2);
  assert.equal(queue.shift(), 1);
  assert.equal(queue.size, 1);
});
