/**
 * A weighted directed graph over nodes `0..n-1`: edge `i` goes from `from[i]` to `to[i]`
 * with `weight[i]` (positive). Parallel arrays of numbers, not an array of edge objects:
 * a map's graph has tens of thousands of edges, built anew for every task.
 */
export interface WeightedGraph {
  /** How many nodes. */
  size: number;
  /** Where each edge starts. */
  from: ArrayLike<number>;
  /** Where each edge ends. */
  to: ArrayLike<number>;
  /** Each edge's weight. */
  weight: ArrayLike<number>;
}

/**
 * Personalised PageRank by power iteration: a random walker follows edges in proportion
 * to their weight and, with probability `1 - damping` (and from nodes with no way out),
 * jumps to a node drawn from `personal`. Converges in a few dozen steps on code graphs.
 *
 * @param graph - The graph.
 * @param personal - Jump weights per node (need not sum to 1); all zero means uniform.
 * @param damping - The probability of following an edge. Default 0.85.
 * @returns The rank of each node; the ranks sum to 1.
 */
export function pageRank(
  graph: WeightedGraph,
  personal: readonly number[],
  damping = 0.85,
): Float64Array {
  const n = graph.size;
  const rank = new Float64Array(n);
  if (n === 0) return rank;
  const jump = new Float64Array(n);
  const total = personal.reduce((sum, value) => sum + Math.max(0, value), 0);
  for (let i = 0; i < n; i++) jump[i] = total > 0 ? Math.max(0, personal[i] ?? 0) / total : 1 / n;
  const { from, to, weight } = graph;
  const out = outWeights(graph);
  rank.set(jump);
  const next = new Float64Array(n);
  for (let step = 0; step < 100; step++) {
    let dangling = 0;
    for (let i = 0; i < n; i++) if (out[i] === 0) dangling += rank[i] as number;
    next.fill(0);
    for (let e = 0; e < from.length; e++) {
      const a = from[e] as number;
      const b = to[e] as number;
      next[b] =
        (next[b] as number) + ((rank[a] as number) * (weight[e] as number)) / (out[a] as number);
    }
    let change = 0;
    for (let i = 0; i < n; i++) {
      const value =
        damping * ((next[i] as number) + dangling * (jump[i] as number)) +
        (1 - damping) * (jump[i] as number);
      change += Math.abs(value - (rank[i] as number));
      rank[i] = value;
    }
    if (change < 1e-9) break;
  }
  return rank;
}

/**
 * The total weight leaving each node.
 *
 * @param graph - The graph.
 * @returns Per node, the sum of its edges' weights.
 */
export function outWeights(graph: WeightedGraph): Float64Array {
  const out = new Float64Array(graph.size);
  for (let e = 0; e < graph.from.length; e++) {
    const a = graph.from[e] as number;
    out[a] = (out[a] as number) + (graph.weight[e] as number);
  }
  return out;
}
