import assert from "node:assert/strict";
import { test } from "node:test";
import { distance, midpoint, perimeter, translate } from "../src/geometry.ts";

test("geometry", () => {
  assert.equal(distance({ x: 0, y: 0 }, { x: 3, y: 4 }), 5);
  assert.deepEqual(midpoint({ x: 0, y: 0 }, { x: 2, y: 4 }), { x: 1, y: 2 });
  assert.deepEqual(translate({ x: 1, y: 1 }, 2, 3), { x: 3, y: 4 });
  assert.equal(perimeter([{ x: 0, y: 0 }, { x: 3, y: 0 }, { x: 3, y: 4 }]), 12);
});
