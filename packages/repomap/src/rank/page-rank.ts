/** A weighted directed graph over nodes `0..n-1`, as edge lists. */
export interface WeightedGraph {
  /** How many nodes. */
  size: number;
  /** Edges `[from, to, weight]`; weights must be positive. */
  edges: ReadonlyArray<readonly [from: number, to: number, weight: number]>;
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
  const out = new Float64Array(n);
  for (const [from, , weight] of graph.edges) out[from] = (out[from] as number) + weight;
  rank.set(jump);
  const next = new Float64Array(n);
  for (let step = 0; step < 100; step++) {
    let dangling = 0;
    for (let i = 0; i < n; i++) if (out[i] === 0) dangling += rank[i] as number;
    next.fill(0);
    for (const [from, to, weight] of graph.edges) {
      next[to] = (next[to] as number) + ((rank[from] as number) * weight) / (out[from] as number);
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
