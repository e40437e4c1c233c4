// A small linter for TypeScript sources: no `var`, no `==` / `!=` (use === / !==),
// no console.log. Usage: node lint.mjs FOLDER [--max N]
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const [folder, ...rest] = process.argv.slice(2);
const limit = rest.includes("--max") ? Number(rest[rest.indexOf("--max") + 1]) : 0;
const rules = [
  [/\bvar\s/, "use let or const instead of var"],
  [/[^=!<>]==[^=]|!=[^=]/, "use === or !=="],
  [/console\.log\(/, "remove console.log"],
];
const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? files(file) : file.endsWith(".ts") ? [file] : [];
  });
const found = [];
for (const file of files(folder).sort()) {
  readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    for (const [pattern, message] of rules) {
      if (pattern.test(line.replace(/\/\/.*$/, ""))) found.push(`${file}:${i + 1}: ${message}`);
    }
  });
}
console.log(found.join("\n") || "clean");
process.exit(found.length > limit ? 1 : 0);
