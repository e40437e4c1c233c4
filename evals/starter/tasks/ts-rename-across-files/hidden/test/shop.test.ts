import assert from "node:assert/strict";
import { test } from "node:test";
import { computeTotal } from "../src/cart.ts";
import { amountDue } from "../src/checkout.ts";
import { totalLine } from "../src/receipt.ts";

const items = [
  { name: "pen", price: 150, quantity: 2 },
  { name: "pad", price: 400, quantity: 1 },
];

test("the renamed function and its callers", () => {
  assert.equal(computeTotal(items), 700);
  assert.equal(amountDue(items), 1199);
  assert.equal(totalLine(items), "Total: 7.00");
});
