import assert from "node:assert/strict";
import { test } from "node:test";
import { invoiceLine } from "../src/invoice.ts";

test("invoiceLine uses the item's currency", () => {
  assert.equal(invoiceLine({ name: "pen", cents: 150 }), "pen: $1.50");
  assert.equal(invoiceLine({ name: "pad", cents: 400, currency: "EUR" } as never), "pad: €4.00");
});
