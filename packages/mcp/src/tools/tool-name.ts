import { createHash } from "node:crypto";

/** The longest tool name the model sees (the agent's limit, and most hosts'). */
export const MAX_TOOL_NAME_LENGTH = 64;

/** Lowercases and turns every run of characters other than letters and digits into `_`. */
function clean(part: string): string {
  return part
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/**
 * The name a server's tool reaches the model under: `<server>__<tool>`, lowercased, with
 * every character other than a letter or digit turned into `_`, starting with a letter
 * and at most 64 characters (a longer name keeps its start and gets a short hash of the
 * whole, so two long names stay apart). `everything` + `get-sum` gives
 * `everything__get_sum`.
 *
 * @param server - The server's name in the configuration.
 * @param tool - The tool's name on the server.
 * @returns The sanitised name.
 */
export function mcpToolName(server: string, tool: string): string {
  const name = `${clean(server) || "server"}__${clean(tool) || "tool"}`;
  const lead = /^[a-z]/.test(name) ? name : `mcp_${name}`;
  if (lead.length <= MAX_TOOL_NAME_LENGTH) return lead;
  const hash = createHash("sha256").update(`${server}\0${tool}`).digest("hex").slice(0, 8);
  return `${lead.slice(0, MAX_TOOL_NAME_LENGTH - hash.length - 1)}_${hash}`;
}

/**
 * Makes a name unique among those taken, adding `_2`, `_3`, ... (within 64 characters):
 * `getSum` and `get_sum` on one server would otherwise both become `..._get_sum`.
 *
 * @param name - A sanitised name.
 * @param taken - The names already in use; the returned name is added to it.
 * @returns A name not in `taken`.
 */
export function uniqueToolName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) {
    const suffix = `_${n}`;
    candidate = `${name.slice(0, MAX_TOOL_NAME_LENGTH - suffix.length)}${suffix}`;
  }
  taken.add(candidate);
  return candidate;
}
