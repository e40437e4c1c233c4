import { defineTool, type Tool, ToolError } from "@gemma-coder/core";
import { resolveWorkspacePath } from "@gemma-coder/tools";
import { z } from "zod";
import type { RepoMap } from "../repo-map.js";

const symbolInput = z.object({
  name: z.string(),
  path: z.string().optional(),
});

/** The input of `find_symbol` and `find_references`. */
export type SymbolToolInput = z.output<typeof symbolInput>;

/** Options of the symbol tools. */
export interface SymbolToolOptions {
  /** The map whose index the tools search; its root is the workspace. */
  map: RepoMap;
  /** Most results listed (default 20 definitions, 50 references). */
  limit?: number | undefined;
}

const IDENTIFIER = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

/**
 * Creates `find_symbol`: where a name is defined (file, line, kind and signature), from
 * the map's tree-sitter index, optionally only under a folder or in a file of the
 * workspace. Results are capped and the total is said.
 *
 * @param options - The map and the cap.
 * @returns The tool.
 */
export function createFindSymbolTool(options: SymbolToolOptions): Tool<SymbolToolInput, string> {
  return defineTool({
    name: "find_symbol",
    description: "Find where a function, class or type is defined (file, line, signature).",
    inputSchema: symbolInput,
    readOnly: true,
    execute: async (input, context) => {
      const name = checkName(input.name);
      const under = await scope(options.map, input.path);
      const limit = options.limit ?? 20;
      const found = await options.map.findSymbol(name, { limit: 10_000, signal: context?.signal });
      const results = found.results.filter((r) => inScope(r.file, under));
      if (results.length === 0) {
        return `No definition of ${name} found${under ? ` under ${under}` : ""}. Try search for the text.`;
      }
      const lines = results
        .slice(0, limit)
        .map((r) => `${r.file}:${r.line}: ${r.signature} (${r.kind})`);
      return [
        `${results.length} definition${results.length === 1 ? "" : "s"} of ${name}:`,
        ...lines,
        more(results.length, limit),
      ]
        .filter(Boolean)
        .join("\n");
    },
  });
}

/**
 * Creates `find_references`: where a name is used (calls, type uses, imports), file and
 * line, from the map's index, optionally only under a path of the workspace. Results are
 * capped and the total is said.
 *
 * @param options - The map and the cap.
 * @returns The tool.
 */
export function createFindReferencesTool(
  options: SymbolToolOptions,
): Tool<SymbolToolInput, string> {
  return defineTool({
    name: "find_references",
    description: "Find where a function, class or type is used (file and line of each use).",
    inputSchema: symbolInput,
    readOnly: true,
    execute: async (input, context) => {
      const name = checkName(input.name);
      const under = await scope(options.map, input.path);
      const limit = options.limit ?? 50;
      const found = await options.map.findReferences(name, {
        limit: 100_000,
        signal: context?.signal,
      });
      const results = found.results.filter((r) => inScope(r.file, under));
      if (results.length === 0) {
        return `No use of ${name} found${under ? ` under ${under}` : ""}. Try search for the text.`;
      }
      const lines = results.slice(0, limit).map((r) => `${r.file}:${r.line}`);
      const files = new Set(results.map((r) => r.file)).size;
      return [
        `${results.length} use${results.length === 1 ? "" : "s"} of ${name} in ${files} file${files === 1 ? "" : "s"}:`,
        ...lines,
        more(results.length, limit),
      ]
        .filter(Boolean)
        .join("\n");
    },
  });
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!IDENTIFIER.test(trimmed) || trimmed.length > 200) {
    throw new ToolError(
      `${JSON.stringify(name.slice(0, 80))} is not an identifier; give one name such as parse_config.`,
    );
  }
  return trimmed;
}

// Confined like every tool: a path outside the workspace is refused, not searched.
async function scope(map: RepoMap, input: string | undefined): Promise<string | undefined> {
  if (input === undefined || input.trim() === "" || input.trim() === ".") return undefined;
  const resolved = await resolveWorkspacePath(map.root, input);
  return resolved.relative === "." ? undefined : resolved.relative;
}

function inScope(file: string, under: string | undefined): boolean {
  return under === undefined || file === under || file.startsWith(`${under}/`);
}

function more(total: number, limit: number): string {
  return total > limit ? `(${total - limit} more not shown; pass path to narrow the search)` : "";
}
