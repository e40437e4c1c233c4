import type { AnyTool } from "@gemma-coder/core";
import { resolveWorkspacePath } from "@gemma-coder/tools";
import type { RepoMap } from "../repo-map.js";
import type { EditChecker } from "./edit-checker.js";

/** The tools whose `path` argument names the one file they change. */
export const EDIT_TOOL_NAMES: readonly string[] = ["write_file", "edit_file"];

/** Options of {@link withEditChecks}. */
export interface WithEditChecksOptions {
  /** The workspace folder the tools are confined to. */
  root: string;
  /** Runs the checks. */
  checker: EditChecker;
  /** Told about every changed file, so later maps centre on it. */
  map?: RepoMap | undefined;
  /** The tools to wrap, by name. Default {@link EDIT_TOOL_NAMES}. */
  toolNames?: readonly string[] | undefined;
}

/**
 * Wraps the edit tools so that each successful change is checked at once and the
 * findings come back in the same tool result ("Your edit left a syntax error ..."). The
 * state before the edit is recorded first, so only problems the edit introduced are
 * reported. Other tools pass through unchanged; so does a failed edit.
 *
 * @param tools - The tool set.
 * @param options - The workspace, the checker and the map to tell.
 * @returns The tool set with the edit tools wrapped.
 */
export function withEditChecks(
  tools: readonly AnyTool[],
  options: WithEditChecksOptions,
): AnyTool[] {
  const names = new Set(options.toolNames ?? EDIT_TOOL_NAMES);
  return tools.map((tool) => (names.has(tool.name) ? wrap(tool, options) : tool));
}

function wrap(tool: AnyTool, options: WithEditChecksOptions): AnyTool {
  return {
    ...tool,
    execute: async (input, context) => {
      const signal = context?.signal;
      const target = (input as { path?: unknown } | undefined)?.path;
      const file =
        typeof target === "string"
          ? await resolveWorkspacePath(options.root, target).then(
              (resolved) => resolved.relative,
              () => undefined,
            )
          : undefined;
      // The path is refused or no check applies: the tool itself says what is wrong.
      const baseline = file ? await options.checker.before(file, signal) : undefined;
      const value = await tool.execute(input, context);
      if (file) options.map?.noteTouched(file);
      if (!baseline) return value;
      const findings = await options.checker.after(baseline, signal);
      if (!findings) return value;
      return typeof value === "string"
        ? `${value}\n\n${findings}`
        : { result: value, checks: findings };
    },
  } as AnyTool;
}
