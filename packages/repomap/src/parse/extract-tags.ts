import type { Node, QueryMatch } from "web-tree-sitter";
import type { LanguageId } from "../languages/languages.js";
import type { Definition, FileTags, Reference } from "./file-tags.js";
import { loadGrammar } from "./load-grammar.js";

/** Limits of {@link extractTags}. */
export interface ExtractLimits {
  /** Give up parsing after this long (milliseconds). Default 1000. */
  parseTimeoutMs?: number;
  /** Most references kept per file. Default 5000. */
  maxRefs?: number;
}

const MAX_SIGNATURE_CHARS = 160;

/** The `skipped` reason of a file whose parse ran past its time budget. */
export const PARSE_TIMED_OUT = "parsing took too long";

/**
 * Parses one file and lists its definitions and references. Parsing is cut off after
 * `parseTimeoutMs` and the query after the same budget, so hostile input cannot hang the
 * map: the file then comes back with `skipped` set.
 *
 * @param language - The grammar to use.
 * @param text - The file's content.
 * @param limits - Time and size limits.
 * @returns The tags.
 */
export async function extractTags(
  language: LanguageId,
  text: string,
  limits: ExtractLimits = {},
): Promise<FileTags> {
  const { parser, query } = await loadGrammar(language);
  const timeoutMs = limits.parseTimeoutMs ?? 1000;
  const deadline = performance.now() + timeoutMs;
  // Returning true from the progress callback cancels the parse.
  const progressCallback = (() => performance.now() > deadline) as unknown as () => void;
  const tree = parser.parse(text, null, { progressCallback });
  parser.reset();
  if (!tree) return { language, defs: [], refs: [], skipped: PARSE_TIMED_OUT };
  try {
    const left = Math.max(1, deadline - performance.now());
    const matches = query.matches(tree.rootNode, { timeoutMicros: Math.round(left * 1000) });
    return { language, ...collect(matches, text, limits.maxRefs ?? 5000) };
  } finally {
    tree.delete();
  }
}

function collect(
  matches: QueryMatch[],
  text: string,
  maxRefs: number,
): { defs: Definition[]; refs: Reference[] } {
  const defs: Array<Definition & { start: number; end: number }> = [];
  const refs: Reference[] = [];
  const defNames = new Set<number>();
  const seenDefs = new Set<number>();
  for (const match of matches) {
    const def = match.captures.find((c) => c.name.startsWith("def."));
    const name = match.captures.find((c) => c.name === "name");
    if (def && name) {
      defNames.add(name.node.startIndex);
      if (seenDefs.has(def.node.startIndex)) continue;
      seenDefs.add(def.node.startIndex);
      defs.push({
        name: name.node.text,
        kind: def.name.slice(4),
        line: def.node.startPosition.row + 1,
        signature: signatureOf(def.node, text),
        depth: 0,
        start: def.node.startIndex,
        end: def.node.endIndex,
      });
    }
  }
  for (const match of matches) {
    for (const capture of match.captures) {
      if (capture.name !== "ref" || defNames.has(capture.node.startIndex)) continue;
      if (refs.length >= maxRefs) break;
      refs.push({ name: capture.node.text, line: capture.node.startPosition.row + 1 });
    }
  }
  defs.sort((a, b) => a.start - b.start);
  setDepths(defs);
  refs.sort((a, b) => a.line - b.line);
  return {
    defs: defs.map(({ start: _s, end: _e, ...def }) => def),
    refs,
  };
}

// Definitions are sorted by start; a stack of the open ones gives each its nesting.
function setDepths(defs: Array<Definition & { start: number; end: number }>): void {
  const open: number[] = [];
  for (const def of defs) {
    while (open.length > 0 && (open.at(-1) as number) <= def.start) open.pop();
    def.depth = open.length;
    open.push(def.end);
  }
}

function signatureOf(node: Node, text: string): string {
  const body = node.childForFieldName("body");
  const end = body && body.startIndex > node.startIndex ? body.startIndex : node.endIndex;
  // `export function f()` is one node inside another; the model should see the export.
  const start = node.parent?.type === "export_statement" ? node.parent.startIndex : node.startIndex;
  let head = text.slice(start, Math.min(end, start + 2000));
  if (!body) head = head.split("\n", 1)[0] ?? head;
  head = head.replace(/\s+/g, " ").trim();
  if (head.endsWith("{")) head = head.slice(0, -1).trimEnd();
  return head.length > MAX_SIGNATURE_CHARS ? `${head.slice(0, MAX_SIGNATURE_CHARS - 1)}…` : head;
}
