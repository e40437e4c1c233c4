import assert from "node:assert/strict";
import { test } from "node:test";
import { capitalize, titleCase } from "../src/words.ts";

test("capitalize", () => {
  assert.equal(capitalize("hello"), "Hello");
  assert.equal(capitalize(""), "");
});
test("titleCase keeps short words small", () => {
  assert.equal(titleCase("the lord of the rings"), "The Lord of the Rings");
});
