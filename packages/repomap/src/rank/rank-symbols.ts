import path from "node:path";
import type { Definition, FileTags } from "../parse/file-tags.js";
import { outWeights, pageRank, type WeightedGraph } from "./page-rank.js";
import type { TaskTerms } from "./task-terms.js";

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
  /** Every definition, most relevant first (those the task names lead). */
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

/**
 * Ranks files and definitions by how the code refers to them. Files are nodes; a file
 * that uses a name gets an edge to each file that defines it, weighted by how often it
 * uses it (square root, so one noisy file does not dominate), more when the task names
 * the identifier or the using file is in focus, less for private-looking, very short or
 * widely defined names. A personalised PageRank (jumping to focus files, files named in
 * the task and files defining what the task names) ranks the files; each file's rank is
 * then shared along its edges to the definitions it uses.
 *
 * @param files - Tags by workspace-relative path.
 * @param focus - The task terms and focus files.
 * @returns Definitions and files, most relevant first.
 */
export function rankSymbols(files: ReadonlyMap<string, FileTags>, focus: RankFocus): Ranking {
  const names = [...files.keys()].sort();
  const definers = new Map<string, number[]>();
  names.forEach((file, i) => {
    for (const def of files.get(file)?.defs ?? []) {
      const list = definers.get(def.name) ?? [];
      if (list.at(-1) !== i) list.push(i);
      definers.set(def.name, list);
    }
  });
  const mentioned = (name: string) =>
    focus.terms.identifiers.has(name) ||
    (name.length >= 5 && focus.terms.lowered.has(name.toLowerCase()));
  // Edges carry the name so the file rank can be shared out to definitions afterwards.
  const edges: NamedGraph = { size: names.length, from: [], to: [], weight: [], names: [] };
  names.forEach((file, from) => {
    const counts = new Map<string, number>();
    for (const ref of files.get(file)?.refs ?? [])
      counts.set(ref.name, (counts.get(ref.name) ?? 0) + 1);
    for (const [name, count] of counts) {
      const targets = definers.get(name);
      if (!targets) continue;
      const weight =
        (Math.sqrt(count) *
          nameWeight(name, targets.length, mentioned(name)) *
          (focus.focus.has(file) ? 20 : 1)) /
        targets.length;
      for (const to of targets) {
        if (to === from) continue;
        edges.from.push(from);
        edges.to.push(to);
        edges.weight.push(weight);
        edges.names.push(name);
      }
    }
  });
  const personal = names.map((file) => personalWeight(file, files.get(file), focus, mentioned));
  const rank = pageRank(edges, personal);
  return {
    definitions: rankDefinitions(names, files, rank, edges, mentioned),
    files: names
      .map((file, i) => ({ file, score: rank[i] as number }))
      .sort((a, b) => b.score - a.score || compareText(a.file, b.file)),
  };
}

/** The reference graph, with the name each edge stands for. */
interface NamedGraph extends WeightedGraph {
  from: number[];
  to: number[];
  weight: number[];
  names: string[];
}

function nameWeight(name: string, definedIn: number, isMentioned: boolean): number {
  let weight = 1;
  if (isMentioned) weight *= 10;
  if (name.startsWith("_")) weight *= 0.1;
  if (name.length < 4) weight *= 0.3;
  if (definedIn > 5) weight *= 0.1;
  return weight;
}

function personalWeight(
  file: string,
  tags: FileTags | undefined,
  focus: RankFocus,
  mentioned: (name: string) => boolean,
): number {
  let weight = 0;
  if (focus.focus.has(file)) weight += 10;
  if (focus.terms.paths.has(file) || focus.terms.paths.has(path.posix.basename(file))) weight += 10;
  const stem = path.posix
    .basename(file)
    .replace(/\.[^.]*$/, "")
    .toLowerCase();
  if (stem.length >= 3 && focus.terms.lowered.has(stem)) weight += 3;
  if (tags?.defs.some((def) => mentioned(def.name))) weight += 5;
  return weight;
}

function rankDefinitions(
  names: readonly string[],
  files: ReadonlyMap<string, FileTags>,
  rank: Float64Array,
  edges: NamedGraph,
  mentioned: (name: string) => boolean,
): RankedDefinition[] {
  const out = outWeights(edges);
  // Per defining file, the rank it receives through each name.
  const shared = new Map<number, Map<string, number>>();
  edges.names.forEach((name, i) => {
    const from = edges.from[i] as number;
    const to = edges.to[i] as number;
    const weight = edges.weight[i] as number;
    let byName = shared.get(to);
    if (!byName) {
      byName = new Map();
      shared.set(to, byName);
    }
    byName.set(
      name,
      (byName.get(name) ?? 0) + ((rank[from] as number) * weight) / (out[from] as number),
    );
  });
  const ranked: RankedDefinition[] = [];
  names.forEach((file, i) => {
    const byName = shared.get(i);
    const base = (rank[i] as number) * 1e-3;
    for (const def of files.get(file)?.defs ?? []) {
      // Unreferenced definitions still order by their file's rank, far behind used ones.
      ranked.push({
        name: def.name,
        kind: def.kind,
        line: def.line,
        signature: def.signature,
        depth: def.depth,
        file,
        score: (byName?.get(def.name) ?? 0) + base,
        mentioned: mentioned(def.name),
      });
    }
  });
  return ranked.sort(
    (a, b) =>
      Number(b.mentioned) - Number(a.mentioned) ||
      b.score - a.score ||
      compareText(a.file, b.file) ||
      a.line - b.line,
  );
}

// Code-unit order: stable across machines and far cheaper than a locale-aware compare.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
