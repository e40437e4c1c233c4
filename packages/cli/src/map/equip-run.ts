import type { AnyTool, RepoMapSource } from "@gemma-coder/core";
import type { ToolFileSystem } from "@gemma-coder/tools";
import type { Env, Settings } from "../config/resolve-settings.js";

/** What {@link mapEquipment} needs. */
export interface MapEquipmentOptions {
  /** The workspace folder. */
  workspace: string;
  /** The environment (where the map's cache folder is). */
  env: Env;
  /** The run's settings (`repoMap`, `verify`; `verify` only from trusted files). */
  settings: Pick<Settings, "repoMap" | "verify">;
}

/** What {@link equipRun} needs: the workspace, environment and settings, and the tools. */
export interface EquipRunOptions extends MapEquipmentOptions {
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
 * Equips one agent's tool set: given the tools (and the file system they write through,
 * when it is an editor's), returns them wrapped and extended, with the agent options.
 */
export type EquipTools = (tools: readonly AnyTool[], fs?: ToolFileSystem) => EquippedRun;

/**
 * Loads the repository map for a workspace and returns what equips an agent with it: the
 * map for the agent's first message (unless the config says `repoMap: false`), the symbol
 * tools, and the check after every edit (a syntax check always, plus the `verify`
 * commands the settings hold, which only a user config or a trusted project config can
 * set). Every mode that runs an agent (`run`, `acp`, `mcp`) goes through here; the map
 * package loads only when one starts.
 *
 * @param options - Workspace, environment and settings.
 * @returns What equips one agent's tools (call it once per agent).
 */
export async function mapEquipment(options: MapEquipmentOptions): Promise<EquipTools> {
  const repomap = await import("@gemma-coder/repomap");
  const { settings, workspace, env } = options;
  return (tools, fs) => {
    const map = new repomap.RepoMap({ root: workspace, env });
    const checker = new repomap.EditChecker({ root: workspace, verify: settings.verify, fs });
    const equipped = repomap.withEditChecks(tools, { root: workspace, checker, map });
    if (settings.repoMap === false) return { tools: equipped };
    equipped.push(repomap.createFindSymbolTool({ map }), repomap.createFindReferencesTool({ map }));
    return {
      tools: equipped,
      repoMap: map,
      ...(typeof settings.repoMap === "number" ? { repoMapTokens: settings.repoMap } : {}),
    };
  };
}

/**
 * Adds the repository map to a run (see {@link mapEquipment}).
 *
 * @param options - Workspace, environment, settings and the default tools.
 * @returns The tools and agent options.
 */
export async function equipRun(options: EquipRunOptions): Promise<EquippedRun> {
  return (await mapEquipment(options))(options.tools);
}
