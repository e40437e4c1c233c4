import path from "node:path";
import {
  DEF_STRIDE,
  definitionAt,
  type PackedTags,
  REF_STRIDE,
  type StringTable,
} from "../cache/packed-tags.js";
import type { Definition } from "../parse/file-tags.js";
import { type DefinitionTable, definitionTable } from "./definition-table.js";
import { outWeights, pageRank } from "./page-rank.js";
import { type ReferenceGraph, referenceGraph } from "./reference-graph.js";
import { mentionTest, type TaskTerms } from "./task-terms.js";

/** A definition with the file it is in and its score. */
export interface RankedDefinition extends Definition {
  /** Workspace-relative path. */
  file: string;
  /** Higher is more relevant. */
  score: number;
  /** The task names it. */
  mentioned: boolean;
}

/** How a repository ranks for a task: its definitions and files, most relevant first. */
export interface Ranking {
  /** The best definitions (all, or up to the limit asked for), most relevant first (those the task names lead). */
  definitions: RankedDefinition[];
  /** Every file, most relevant first. */
  files: RankedFile[];
}

/** A file with its rank. */
export interface RankedFile {
  /** Workspace-relative path. */
  file: string;
  /** Its PageRank; the ranks of all files sum to 1. */
  score: number;
}

/** What to personalise the ranking to. */
export interface RankFocus {
  /** The task's terms. */
  terms: TaskTerms;
  /** Files already touched or named (workspace-relative). */
  focus: ReadonlySet<string>;
}

/** Every file's packed tags and the strings they refer to. */
export interface TagIndex {
  /** Tags by workspace-relative path. */
  files: ReadonlyMap<string, PackedTags>;
  /** The strings the tags' ids point at. */
  strings: StringTable;
}

/**
 * Ranks files and definitions by how the code refers to them. Files are nodes of the
 * reference graph (see {@link referenceGraph}). A personalised PageRank (jumping to
 * focus files, files named in the task, files defining what the task names and files
 * using it) ranks the files; each file's rank is then shared along its edges to the
 * definitions it uses.
 *
 * Names are handled as string ids and definitions as positions in flat arrays; only the
 * `limit` best definitions become objects.
 *
 * @param index - Tags by workspace-relative path, and their strings.
 * @param focus - The task terms and focus files.
 * @param limit - How many of the best definitions to return. Default all.
 * @returns Definitions and files, most relevant first.
 */
export function rankSymbols(index: TagIndex, focus: RankFocus, limit = Infinity): Ranking {
  const names = [...index.files.keys()].sort(compareText);
  const tags = names.map((file) => index.files.get(file) as PackedTags);
  const defs = definitionTable(tags, index.strings.size);
  const mentioned = mentionTest(index.strings, focus.terms);
  const inFocus = (file: number) => focus.focus.has(names[file] as string);
  const edges = referenceGraph(tags, defs, index.strings, { mentioned, inFocus });
  const personal = names.map((file, i) => personalWeight(file, tags[i], focus, mentioned));
  const rank = pageRank(edges, personal);
  const score = scoreDefinitions(defs, rank, edges);
  const best = bestDefinitions(defs, score, mentioned, limit);
  return {
    definitions: best.map((d) => {
      const file = defs.file[d] as number;
      const at = d - (defs.start[file] as number);
      return {
        ...definitionAt(tags[file] as PackedTags, at, index.strings),
        file: names[file] as string,
        score: score[d] as number,
        mentioned: mentioned(defs.name[d] as number),
      };
    }),
    files: names
      .map((file, i) => ({ file, score: rank[i] as number }))
      .sort((a, b) => b.score - a.score || compareText(a.file, b.file)),
  };
}

function personalWeight(
  file: string,
  tags: PackedTags | undefined,
  focus: RankFocus,
  mentioned: (id: number) => boolean,
): number {
  let weight = 0;
  if (focus.focus.has(file)) weight += 10;
  if (focus.terms.paths.has(file) || focus.terms.paths.has(path.posix.basename(file))) weight += 10;
  if (focus.terms.lowered.size > 0) {
    const base = file.slice(file.lastIndexOf("/") + 1);
    const dot = base.lastIndexOf(".");
    const stem = (dot < 0 ? base : base.slice(0, dot)).toLowerCase();
    if (stem.length >= 3 && focus.terms.lowered.has(stem)) weight += 3;
  }
  if (tags && namesAny(tags.defs, DEF_STRIDE, mentioned)) weight += 5;
  // A file that uses what the task names: a caller to fix after a signature change.
  if (tags && namesAny(tags.refs, REF_STRIDE, mentioned)) weight += 3;
  return weight;
}

/** Whether any record of a packed array (its name id first, `stride` numbers each) passes. */
function namesAny(
  records: ArrayLike<number>,
  stride: number,
  test: (id: number) => boolean,
): boolean {
  for (let k = 0; k < records.length; k += stride) if (test(records[k] as number)) return true;
  return false;
}

/**
 * Each definition's score: the rank its file receives through its name (each using
 * file's rank shared along its edges), plus a thousandth of its file's own rank so that
 * unreferenced definitions still order by their file, far behind used ones.
 */
function scoreDefinitions(
  defs: DefinitionTable,
  rank: Float64Array,
  edges: ReferenceGraph,
): Float64Array {
  const out = outWeights(edges);
  const received = new Float64Array(defs.name.length);
  for (let e = 0; e < edges.from.length; e++) {
    const from = edges.from[e] as number;
    const share = ((rank[from] as number) * (edges.weight[e] as number)) / (out[from] as number);
    for (let k = edges.firstDef[e] as number; k < (edges.endDef[e] as number); k++) {
      const d = defs.byName[k] as number;
      received[d] = (received[d] as number) + share;
    }
  }
  for (let d = 0; d < received.length; d++) {
    received[d] = (received[d] as number) + (rank[defs.file[d] as number] as number) * 1e-3;
  }
  return received;
}

/**
 * The positions of the `limit` best definitions: those the task names first, then by
 * score, then in position order (file, then line). Only the candidates at or above the
 * `limit`-th score are sorted, not every definition.
 */
function bestDefinitions(
  defs: DefinitionTable,
  score: Float64Array,
  mentioned: (id: number) => boolean,
  limit: number,
): number[] {
  const named: number[] = [];
  const others: number[] = [];
  for (let d = 0; d < score.length; d++) {
    (mentioned(defs.name[d] as number) ? named : others).push(d);
  }
  const byScore = (a: number, b: number) => (score[b] as number) - (score[a] as number) || a - b;
  named.sort(byScore);
  const room = Math.min(others.length, limit - Math.min(named.length, limit));
  if (room <= 0) return named.slice(0, limit);
  // The room-th best score among the others: every one above it makes the cut.
  const scores = new Float64Array(others.length);
  others.forEach((d, i) => {
    scores[i] = score[d] as number;
  });
  const cut = scores.sort()[scores.length - room] as number;
  const candidates = others.filter((d) => (score[d] as number) >= cut).sort(byScore);
  return [...named, ...candidates.slice(0, room)];
}

// Code-unit order: stable across machines and far cheaper than a locale-aware compare.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
