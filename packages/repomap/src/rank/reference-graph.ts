import { type PackedTags, REF_STRIDE, type StringTable } from "../cache/packed-tags.js";
import type { DefinitionTable } from "./definition-table.js";
import type { WeightedGraph } from "./page-rank.js";

/**
 * Which files refer to which: an edge from a file using a name to each other file
 * defining it, with the definitions it points at (`byName[firstDef[e]..endDef[e] - 1]` of
 * the {@link DefinitionTable}).
 */
export interface ReferenceGraph extends WeightedGraph {
  /** Where each edge starts (the using file). */
  from: number[];
  /** Where each edge ends (the defining file). */
  to: number[];
  /** Each edge's weight. */
  weight: number[];
  /** The first of the definitions each edge points at, in `byName`. */
  firstDef: number[];
  /** One past the last of them. */
  endDef: number[];
}

/** What the edge weights depend on besides the code. */
export interface GraphFocus {
  /** Whether the task names a string id. */
  mentioned: (id: number) => boolean;
  /** Whether a file (by index) is in focus. */
  inFocus: (file: number) => boolean;
}

/**
 * Builds the graph: a file that uses a name gets an edge to each file that defines it,
 * weighted by how often it uses it (square root, so one noisy file does not dominate),
 * more when the task names the identifier or the using file is in focus, less for
 * private-looking, very short or widely defined names, shared among the defining files.
 *
 * @param tags - Each file's packed tags, in file order.
 * @param defs - Their definitions, laid out.
 * @param strings - The strings the ids point at.
 * @param focus - The task's and the focus files' part in the weights.
 * @returns The graph.
 */
export function referenceGraph(
  tags: readonly PackedTags[],
  defs: DefinitionTable,
  strings: StringTable,
  focus: GraphFocus,
): ReferenceGraph {
  const edges: ReferenceGraph = {
    size: tags.length,
    from: [],
    to: [],
    weight: [],
    firstDef: [],
    endDef: [],
  };
  const counts = new Int32Array(strings.size);
  const used: number[] = [];
  // A name's weight depends on the name alone: worked out once, not once per using file.
  const weights = new Float64Array(strings.size).fill(Number.NaN);
  tags.forEach((t, from) => {
    for (let k = 0; k < t.refs.length; k += REF_STRIDE) {
      const name = t.refs[k] as number;
      if (counts[name] === 0) used.push(name);
      counts[name] = (counts[name] as number) + 1;
    }
    const boost = focus.inFocus(from) ? 20 : 1;
    for (const name of used) {
      const count = counts[name] as number;
      counts[name] = 0;
      const definedIn = defs.definedIn[name] as number;
      if (definedIn === 0) continue;
      if (Number.isNaN(weights[name]))
        weights[name] = nameWeight(strings.at(name), definedIn, focus.mentioned(name)) / definedIn;
      const weight = Math.sqrt(count) * (weights[name] as number) * boost;
      addEdges(edges, defs, from, name, weight);
    }
    used.length = 0;
  });
  return edges;
}

// One edge per other file defining the name, over that file's run of its definitions.
function addEdges(
  edges: ReferenceGraph,
  defs: DefinitionTable,
  from: number,
  name: number,
  weight: number,
): void {
  const end = defs.byNameStart[name + 1] as number;
  let k = defs.byNameStart[name] as number;
  while (k < end) {
    const to = defs.file[defs.byName[k] as number] as number;
    let next = k + 1;
    while (next < end && defs.file[defs.byName[next] as number] === to) next++;
    if (to !== from) {
      edges.from.push(from);
      edges.to.push(to);
      edges.weight.push(weight);
      edges.firstDef.push(k);
      edges.endDef.push(next);
    }
    k = next;
  }
}

function nameWeight(name: string, definedIn: number, isMentioned: boolean): number {
  let weight = 1;
  if (isMentioned) weight *= 10;
  if (name.startsWith("_")) weight *= 0.1;
  if (name.length < 4) weight *= 0.3;
  if (definedIn > 5) weight *= 0.1;
  return weight;
}
