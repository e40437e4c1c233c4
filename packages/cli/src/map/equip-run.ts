import type { AnyTool, RepoMapSource } from "@gemma-coder/core";
import type { Env, Settings } from "../config/resolve-settings.js";

/** What {@link equipRun} needs. */
export interface EquipRunOptions {
  /** The workspace folder. */
  workspace: string;
  /** The environment (where the map's cache folder is). */
  env: Env;
  /** The run's settings (`repoMap`, `verify`; `verify` only from trusted files). */
  settings: Pick<Settings, "repoMap" | "verify">;
  /** The default tools for the workspace. */
  tools: readonly AnyTool[];
}

/** The tools and agent options of a run with the repository map. */
export interface EquippedRun {
  /** The tools: edits checked, plus `find_symbol` and `find_references` unless the map is off. */
  tools: AnyTool[];
  /** The map for the agent's first message, unless `repoMap` is `false`. */
  repoMap?: RepoMapSource;
  /** The map's budget when the config sets one. */
  repoMapTokens?: number;
}

/**
 * Adds the repository map to a run: the map for the agent (unless the config says
 * `repoMap: false`), the symbol tools, and the check after every edit (a syntax check
 * always, plus the `verify` commands the settings hold, which only a user config or a
 * trusted project config can set). Loaded only when a run starts.
 *
 * @param options - Workspace, environment, settings and the default tools.
 * @returns The tools and agent options.
 */
export async function equipRun(options: EquipRunOptions): Promise<EquippedRun> {
  const repomap = await import("@gemma-coder/repomap");
  const { settings, workspace } = options;
  const map = new repomap.RepoMap({ root: workspace, env: options.env });
  const checker = new repomap.EditChecker({ root: workspace, verify: settings.verify });
  const tools = repomap.withEditChecks(options.tools, { root: workspace, checker, map });
  if (settings.repoMap === false) return { tools };
  tools.push(repomap.createFindSymbolTool({ map }), repomap.createFindReferencesTool({ map }));
  return {
    tools,
    repoMap: map,
    ...(typeof settings.repoMap === "number" ? { repoMapTokens: settings.repoMap } : {}),
  };
}
