import { estimateTokens } from "@gemma-coder/core/basics";
import type { Ranking } from "../rank/rank-symbols.js";

/** A map fitted to a budget. */
export interface RenderedMap {
  /** The map text (empty when nothing fits). */
  text: string;
  /** Its estimated size in tokens (see `estimateTokens` in the core). */
  tokens: number;
  /** How many definitions it shows. */
  symbols: number;
  /** How many files it names. */
  files: number;
}

type Entry = { kind: "def"; index: number } | { kind: "file"; file: string };

/**
 * Renders the most relevant part of a ranking that fits `maxTokens`: files in order of
 * their best entry, each with its chosen definitions in line order (line number, then the
 * signature indented by nesting), then, while room is left, other relevant files by name.
 * The number of entries is found by searching on the rendered size (which grows with it).
 *
 * @param ranking - Definitions and files, most relevant first.
 * @param maxTokens - The budget.
 * @param count - Counts tokens; default the core's estimate.
 * @returns The map and its size.
 */
export function renderMap(
  ranking: Ranking,
  maxTokens: number,
  count: (text: string) => number = estimateTokens,
): RenderedMap {
  const entries: Entry[] = ranking.definitions.map((_, index) => ({ kind: "def", index }));
  const shown = new Set(ranking.definitions.map((def) => def.file));
  for (const { file } of ranking.files) if (!shown.has(file)) entries.push({ kind: "file", file });
  // Every entry renders to at least one token, so no more than maxTokens of them fit.
  const most = Math.min(entries.length, Math.max(0, Math.floor(maxTokens)));
  const fits = (length: number) => count(renderPrefix(ranking, entries, length).text) <= maxTokens;
  // The longest prefix that fits: doubling from a small one, then halving between the
  // last fit and the first miss. A map holds tens of definitions, so this renders far
  // fewer lines than halving down from `most` would.
  let low = 0;
  let high = most;
  for (let length = Math.min(16, most); ; length = Math.min(length * 2, most)) {
    if (!fits(length)) {
      high = length - 1;
      break;
    }
    low = length;
    if (length === most) break;
  }
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  const chosen = renderPrefix(ranking, entries, low);
  return { ...chosen, tokens: count(chosen.text) };
}

function renderPrefix(
  ranking: Ranking,
  entries: readonly Entry[],
  length: number,
): Omit<RenderedMap, "tokens"> {
  const byFile = new Map<string, number[]>();
  let symbols = 0;
  for (const entry of entries.slice(0, length)) {
    const file =
      entry.kind === "def" ? (ranking.definitions[entry.index]?.file as string) : entry.file;
    const list = byFile.get(file) ?? [];
    if (entry.kind === "def") {
      list.push(entry.index);
      symbols++;
    }
    byFile.set(file, list);
  }
  const lines: string[] = [];
  for (const [file, indexes] of byFile) {
    lines.push(indexes.length > 0 ? `${file}:` : file);
    const defs = indexes.map((i) => ranking.definitions[i]).filter((d) => d !== undefined);
    defs.sort((a, b) => a.line - b.line);
    for (const def of defs) lines.push(`${def.line}: ${"  ".repeat(def.depth)}${def.signature}`);
  }
  return { text: lines.join("\n"), symbols, files: byFile.size };
}
