import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { POLYGLOT } from "../__fixtures__/copy-fixture.js";
import { LANGUAGE_IDS, type LanguageId, languageOf } from "../languages/languages.js";
import { extractTags } from "./extract-tags.js";
import { loadGrammar } from "./load-grammar.js";

async function tagsOf(rel: string) {
  const language = languageOf(rel) as LanguageId;
  return extractTags(language, await fs.readFile(path.join(POLYGLOT, rel), "utf8"));
}

describe("grammars", () => {
  it("load for every language with their tag queries (the wasm ABI matches web-tree-sitter)", async () => {
    for (const id of LANGUAGE_IDS) {
      const grammar = await loadGrammar(id);
      expect(grammar.query.captureNames).toEqual(expect.arrayContaining(["name", "ref"]));
    }
  });
});

describe("extractTags", () => {
  const cases: Array<[file: string, defs: string[], refs: string[]]> = [
    [
      "inventory/store.py",
      [
        "class Item:",
        "class InventoryStore:",
        "  def add_item(self, sku: str, quantity: int = 1) -> Item:",
      ],
      ["Item", "setdefault"],
    ],
    [
      "inventory/report.py",
      ["def build_report(store: InventoryStore) -> str:"],
      ["add_item", "InventoryStore"],
    ],
    [
      "web/src/cart.ts",
      [
        "export interface LineItem",
        'export type Currency = "EUR" | "USD";',
        "export class Cart",
        "  addItem(item: LineItem): void",
        "export function priceOf(cart: Cart, currency: Currency): string",
      ],
      ["formatPrice", "total", "LineItem"],
    ],
    [
      "web/src/checkout.tsx",
      [
        "export function Checkout(props: { cart: Cart })",
        "export const emptyCart = () => new Cart();",
      ],
      ["priceOf", "Cart"],
    ],
    [
      "web/legacy/util.js",
      [
        "export function formatPrice(cents, currency)",
        "export class Money",
        "  constructor(cents)",
      ],
      ["toFixed"],
    ],
    [
      "svc/ledger.go",
      [
        "type Ledger struct",
        "func NewLedger() *Ledger",
        "func (l *Ledger) Record(account string, cents int)",
      ],
      ["Sprintf", "Ledger"],
    ],
    ["svc/main.go", [], ["NewLedger", "Record"]],
    [
      "engine/src/lib.rs",
      [
        "pub trait Scorer",
        "  fn score(&self, input: &str) -> u32;",
        "pub struct Engine",
        "pub fn new(weight: u32) -> Self",
        "pub fn score_all(scorer: &dyn Scorer, inputs: &[&str]) -> Vec<u32>",
      ],
      ["Scorer", "score"],
    ],
    ["engine/src/main.rs", ["fn main()"], ["score_all", "new", "println"]],
    [
      "jvm/src/Billing.java",
      [
        "public class Billing",
        "  public Billing()",
        "  public long charge(String account, long cents)",
      ],
      [],
    ],
    ["jvm/src/App.java", ["public class App"], ["Billing", "charge"]],
    ["native/hash.h", ["uint32_t fnv1a(const char *text);"], []],
    ["native/hash.c", ["uint32_t fnv1a(const char *text)"], []],
    ["native/main.c", ["int main(void)"], ["fnv1a", "printf"]],
    [
      "native/cache.cpp",
      [
        "class LruCache",
        "  bool get(const std::string &key, std::string *value)",
        "int cached_lookup(LruCache &cache)",
      ],
      ["LruCache", "get"],
    ],
  ];
  for (const [file, defs, refs] of cases) {
    it(`finds the definitions and references of ${file}`, async () => {
      const tags = await tagsOf(file);
      expect(tags.skipped).toBeUndefined();
      const shown = tags.defs.map((def) => `${"  ".repeat(def.depth)}${def.signature}`);
      expect(shown).toEqual(expect.arrayContaining(defs));
      expect(tags.refs.map((ref) => ref.name)).toEqual(expect.arrayContaining(refs));
      // A definition's own name is not also a reference to it.
      for (const def of tags.defs) {
        expect(
          tags.refs.some(
            (ref) => ref.name === def.name && ref.line === def.line && def.kind !== "method",
          ),
        ).toBe(false);
      }
    });
  }
});
