import { test } from "node:test";
import assert from "node:assert/strict";
import { slugify } from "./slug.js";

test("lower-cases and joins words with hyphens", () => {
  assert.equal(slugify("Hello World"), "hello-world");
});
test("drops punctuation", () => {
  assert.equal(slugify("Rock & Roll!"), "rock-roll");
});
test("takes another separator", () => {
  assert.equal(slugify("a b c", "_"), "a_b_c");
});
test("an empty text gives an empty slug", () => {
  assert.equal(slugify("  !! "), "");
});
