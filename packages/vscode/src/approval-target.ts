/** The scheme of the read-only documents that hold a proposed change (the diff's right side). */
export const PROPOSED_SCHEME = "gemma-coder-proposed";

/**
 * The approval a proposed document belongs to, from its URI's query
 * (`approval=<id>&side=…`). The diff editor's ✓ / ✗ buttons pass the document they were
 * clicked in, so the answer goes to that approval and never to a later one (a diff left
 * open must not accept the shell command asked about now).
 *
 * @param resource - The command's first argument: the editor's URI, or nothing (palette).
 * @returns The approval id, or `undefined` when the argument is not a proposed document.
 */
export function approvalIdOf(resource: unknown): number | undefined {
  if (typeof resource !== "object" || resource === null) return undefined;
  const { scheme, query } = resource as { scheme?: unknown; query?: unknown };
  if (scheme !== PROPOSED_SCHEME || typeof query !== "string") return undefined;
  const match = /(?:^|&)approval=(\d+)&/.exec(query);
  return match ? Number(match[1]) : undefined;
}
