import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPrice } from "../src/format.ts";

test("formatPrice takes a currency", () => {
  assert.equal(formatPrice(150), "$1.50");
  assert.equal(formatPrice(150, "EUR"), "€1.50");
  assert.equal(formatPrice(2000, "GBP"), "£20.00");
});
