#!/usr/bin/env node
// Lists the functions in packages/*/src (tests and fixtures aside) longer than a limit that
// carry no `// long-function: <reason>` comment just above them. The house style wants a
// function about a screen long; a longer one needs its reason written next to it.
//
//   node scripts/long-functions.mjs [--limit 80]
//
// Exit 1 when any is found. test/long-functions.test.ts runs the same check in CI.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The default limit in lines, a screen or two. */
export const LONG_FUNCTION_LINES = 80;

const MARKER = /\/\/\s*long-function:\s*\S/;

/** Source files the check covers: packages/<name>/src/**\/*.ts, without tests and fixtures. */
export function sourceFiles(base = root) {
  const files = [];
  const packages = path.join(base, "packages");
  for (const name of readdirSync(packages)) {
    const src = path.join(packages, name, "src");
    let entries;
    try {
      entries = readdirSync(src, { recursive: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const file = String(entry);
      if (!file.endsWith(".ts") || file.endsWith(".d.ts") || file.endsWith(".test.ts")) continue;
      if (file.split(path.sep).includes("__fixtures__")) continue;
      files.push(path.join(src, file));
    }
  }
  return files.sort();
}

function isFunctionLike(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node)
  );
}

/** The name a reader would search for, and the node whose comments count as "above it". */
function describe(node, sourceFile) {
  let anchor = node;
  let name = node.name?.getText(sourceFile);
  const parent = node.parent;
  if (
    !name &&
    parent &&
    (ts.isVariableDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertyAssignment(parent))
  ) {
    name = parent.name.getText(sourceFile);
    anchor = ts.isVariableDeclaration(parent) ? parent.parent.parent : parent;
  }
  if (ts.isConstructorDeclaration(node)) name = "constructor";
  return { name: name ?? "(anonymous)", anchor };
}

/** Whether the comment lines right above `line` (0-based) carry the marker. */
function justified(lines, line) {
  for (let i = line - 1; i >= 0; i--) {
    const text = lines[i].trim();
    if (!/^(\/\/|\/\*|\*|@)/.test(text)) return false;
    if (MARKER.test(text)) return true;
  }
  return false;
}

/**
 * The functions over the limit without a reason.
 *
 * @param options - `limit` in lines, `files` to check (default: every source file).
 * @returns `{ file, line, name, lines }` for each, `file` relative to the repository.
 */
export function findLongFunctions({ limit = LONG_FUNCTION_LINES, files = sourceFiles() } = {}) {
  const found = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const lines = text.split("\n");
    const justifiedAt = new Set();
    const visit = (node, enclosing) => {
      if (isFunctionLike(node) && node.body) {
        const start = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
        const end = sourceFile.getLineAndCharacterOfPosition(node.getEnd()).line;
        const length = end - start + 1;
        if (length > limit) {
          const { name, anchor } = describe(node, sourceFile);
          const anchorLine = sourceFile.getLineAndCharacterOfPosition(
            anchor.getStart(sourceFile),
          ).line;
          // A function that opens its enclosing one (`return new Promise((resolve) => {`)
          // shares that function's reason.
          const opensEnclosing = enclosing !== undefined && start - enclosing.start <= 1;
          if (justified(lines, anchorLine) || justified(lines, start)) justifiedAt.add(start);
          else if (!(opensEnclosing && justifiedAt.has(enclosing.start))) {
            found.push({ file: path.relative(root, file), line: start + 1, name, lines: length });
          }
        }
        const inner = { start };
        ts.forEachChild(node, (child) => visit(child, inner));
        return;
      }
      ts.forEachChild(node, (child) => visit(child, enclosing));
    };
    visit(sourceFile, undefined);
  }
  return found;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--limit");
  const limit = at > 0 ? Number(process.argv[at + 1]) : LONG_FUNCTION_LINES;
  const found = findLongFunctions({ limit });
  for (const f of found) console.log(`${f.file}:${f.line} ${f.name} (${f.lines} lines)`);
  console.log(
    `${found.length} function(s) over ${limit} lines without a "// long-function: <reason>" comment.`,
  );
  process.exitCode = found.length > 0 ? 1 : 0;
}
