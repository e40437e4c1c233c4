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
 * The number of entries is found by binary search on the rendered size.
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
  let low = 0;
  // Every entry renders to at least one token, so no more than maxTokens of them fit.
  let high = Math.min(entries.length, Math.max(0, Math.floor(maxTokens)));
  let best: RenderedMap = { text: "", tokens: 0, symbols: 0, files: 0 };
  // Each probe renders a prefix; about log2(entries) probes in all.
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = renderPrefix(ranking, entries, middle);
    const tokens = count(candidate.text);
    if (tokens <= maxTokens) {
      best = { ...candidate, tokens };
      low = middle + 1;
    } else high = middle - 1;
  }
  return best;
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
