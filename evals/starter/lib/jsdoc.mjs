// Checks that the exported functions of a TypeScript file have a JSDoc comment.
// Usage: node jsdoc.mjs FILE [--at-least SHARE]
// Exit 0 when every `export function` (or exported arrow function) is directly preceded
// by a non-empty /** ... */ block, or with --at-least, when that share (0 to 1) of them is.
import { readFileSync } from "node:fs";

const [file, ...rest] = process.argv.slice(2);
const at = rest.indexOf("--at-least");
const share = at === -1 ? 1 : Number(rest[at + 1]);
const source = readFileSync(file, "utf8");
const exported = [
  ...source.matchAll(/^export\s+(?:async\s+)?(?:function\s+(\w+)|const\s+(\w+)\s*=)/gm),
];
const missing = [];
for (const match of exported) {
  const before = source.slice(0, match.index).trimEnd();
  const doc = before.endsWith("*/") ? before.slice(before.lastIndexOf("/**")) : "";
  const text = doc
    .replace(/^\/\*\*|\*\/$/g, "")
    .replace(/^\s*\*/gm, "")
    .trim();
  if (!doc.startsWith("/**") || text === "") missing.push(match[1] ?? match[2]);
}
const documented = exported.length - missing.length;
console.log(
  `${documented} of ${exported.length} exported functions have JSDoc; missing: ${missing.join(", ") || "none"}`,
);
process.exit(exported.length > 0 && documented >= share * exported.length ? 0 : 1);
