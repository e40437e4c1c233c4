import { defineTool, type Tool } from "@gemma-coder/core";
import { z } from "zod";
import { guard } from "../fs/guard.js";
import { resolveOptions, type ToolsOptions } from "../options.js";
import type { SearchQuery } from "../search/backends.js";
import { searchWorkspace } from "../search/search-workspace.js";
import { TOOL_NAMES } from "../tool-names.js";

/** The most matching lines one `search` call returns. */
export const MAX_SEARCH_MATCHES = 100;
/** A search gives up after this long and returns what it found. */
export const SEARCH_TIMEOUT_MS = 30_000;
/** Matching lines are shown up to this many characters, around the match. */
export const MAX_MATCH_LINE_CHARS = 300;

const searchInput = z.object({
  pattern: z.string(),
  path: z.string().optional(),
  glob: z.string().optional(),
  ignore_case: z.boolean().optional(),
  fixed: z.boolean().optional(),
});

/** The input of `search`. */
export type SearchInput = z.output<typeof searchInput>;

/**
 * Creates `search`: finds lines matching a regular expression (or literal text with
 * `fixed`) in the workspace's text files, as `path:line:text`. Uses ripgrep when it is on
 * `PATH`, else grep, else a JavaScript search in a worker thread; all three honour
 * `.gitignore`, skip hidden, binary and very large files, and return the same results.
 *
 * @param options - The workspace root, output limit and back-end choice.
 * @returns The tool.
 */
export function createSearchTool(options: ToolsOptions): Tool<SearchInput, string> {
  const { root, maxOutputChars, searchBackend } = resolveOptions(options);
  return defineTool({
    name: TOOL_NAMES.search,
    description: "Search file contents for a regex (fixed: plain text); glob filters files.",
    inputSchema: searchInput,
    readOnly: true,
    execute: (input, context) =>
      guard(context?.signal, input.path ?? ".", "search", async () => {
        const query: SearchQuery = {
          pattern: input.pattern,
          fixed: input.fixed ?? false,
          ignoreCase: input.ignore_case ?? false,
        };
        const result = await searchWorkspace({
          ...query,
          root,
          path: input.path,
          glob: input.glob,
          backend: searchBackend,
          maxHits: MAX_SEARCH_MATCHES,
          timeoutMs: SEARCH_TIMEOUT_MS,
          signal: context?.signal,
        });
        const notes: string[] = [];
        if (result.timedOut) {
          notes.push(
            `[the search stopped after ${SEARCH_TIMEOUT_MS / 1000} s; results are incomplete]`,
          );
        }
        if (result.tooLarge > 0) {
          notes.push(`[${result.tooLarge} file(s) over 20 MB were not searched]`);
        }
        if (result.hits.length === 0) {
          const where = result.where === "." ? "the workspace" : JSON.stringify(result.where);
          return [
            `No matches for ${JSON.stringify(input.pattern)} in ${where} (${result.searched} ${result.searched === 1 ? "file" : "files"} searched).`,
            ...notes,
          ].join("\n");
        }
        const locate = locator(query);
        const lines: string[] = [];
        let chars = 0;
        let cut = result.more;
        for (const hit of result.hits) {
          const line = `${hit.path}:${hit.line}:${around(hit.text, locate)}`;
          if (lines.length > 0 && chars + line.length + 1 > maxOutputChars) {
            cut = true;
            break;
          }
          lines.push(line);
          chars += line.length + 1;
        }
        if (cut) {
          lines.push(
            `[... more matches not shown (showing ${lines.length}); narrow the pattern, path or glob ...]`,
          );
        }
        return [...lines, ...notes].join("\n");
      }),
  });
}

function locator(query: SearchQuery): (text: string) => number {
  if (!query.fixed) {
    // Running the model's regular expression here could backtrack for ever on the main
    // thread (the back-ends run it in a killable process or worker), so long lines of a
    // regex search are shown from their start.
    return () => 0;
  }
  const needle = query.ignoreCase ? query.pattern.toLowerCase() : query.pattern;
  return (text) => Math.max(0, (query.ignoreCase ? text.toLowerCase() : text).indexOf(needle));
}

function around(text: string, locate: (text: string) => number): string {
  if (text.length <= MAX_MATCH_LINE_CHARS) return text;
  const index = locate(text);
  const start = Math.max(0, Math.min(index - 100, text.length - MAX_MATCH_LINE_CHARS));
  const end = start + MAX_MATCH_LINE_CHARS;
  return `${start > 0 ? "..." : ""}${text.slice(start, end)}${end < text.length ? "..." : ""}`;
}
