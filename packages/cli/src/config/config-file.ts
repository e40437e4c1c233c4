import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core/basics";
import type { ConfigFile } from "./config-schema.js";

export type { ConfigFile } from "./config-schema.js";

/** The backends the CLI knows. */
export const PROVIDER_NAMES = ["ollama", "openrouter", "llama-cpp", "embedded"] as const;

/** One of {@link PROVIDER_NAMES}. */
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/**
 * The languages a `verify` entry may name: those the repository map parses (pinned
 * against `@gemma-coder/repomap`'s list by a test; not imported, so reading the config
 * does not load the parser).
 */
export const VERIFY_LANGUAGE_KEYS = [
  "python",
  "typescript",
  "tsx",
  "javascript",
  "go",
  "rust",
  "java",
  "c",
  "cpp",
] as const;

/** A config file that was found and read. */
export interface LoadedConfig {
  /** Where it was. */
  path: string;
  /** Whether it is the project's file or the user's. */
  kind: "project" | "user";
  /** Its settings. */
  config: ConfigFile;
}

/** The folder and file name of the project config, relative to the project. */
export const PROJECT_CONFIG = path.join(".gemma-coder", "config.json");

/**
 * The user config file: `$XDG_CONFIG_HOME/gemma-coder/config.json`, else
 * `~/.config/gemma-coder/config.json` (`%APPDATA%\gemma-coder\config.json` on Windows).
 *
 * @param env - The environment.
 * @returns The path, whether or not the file exists.
 */
export function userConfigPath(env: Readonly<Record<string, string | undefined>>): string {
  if (env.XDG_CONFIG_HOME) return path.join(env.XDG_CONFIG_HOME, "gemma-coder", "config.json");
  if (process.platform === "win32" && env.APPDATA) {
    return path.join(env.APPDATA, "gemma-coder", "config.json");
  }
  return path.join(env.HOME ?? os.homedir(), ".config", "gemma-coder", "config.json");
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** The uid of this process, or `undefined` where there are no uids (Windows). */
function currentUid(): number | undefined {
  return typeof process.getuid === "function" ? process.getuid() : undefined;
}

/**
 * Whether a path exists and, on POSIX, belongs to this user: a folder or file another
 * user owns (a shared temporary folder, someone else's home) is never read as config.
 */
async function ownedByUser(file: string): Promise<"missing" | "mine" | "foreign"> {
  try {
    const stats = await fs.stat(file);
    const uid = currentUid();
    return uid === undefined || stats.uid === uid ? "mine" : "foreign";
  } catch {
    return "missing";
  }
}

/**
 * The repository root of a folder: the nearest folder at or above it that holds `.git`.
 *
 * @param folder - Where to start.
 * @returns The root, or `undefined` outside a repository.
 */
export async function findRepositoryRoot(folder: string): Promise<string | undefined> {
  let current = path.resolve(folder);
  for (;;) {
    if (await exists(path.join(current, ".git"))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Where the project config search found a file, and what it left out. */
export interface ProjectConfigSearch {
  /** The config file, when one was found. */
  path?: string;
  /** Config files that were skipped because another user owns them. */
  foreign: string[];
}

/**
 * Finds the project config: `.gemma-coder/config.json` in the workspace folder or a
 * parent of it up to the repository root (the nearest folder holding `.git`). Outside a
 * repository only the workspace itself is looked at, so a workspace in a shared
 * temporary folder never picks up `/tmp/.gemma-coder/config.json`. A file (or its
 * folder) owned by another user is skipped.
 *
 * @param workspace - The workspace folder.
 * @returns The path, or `undefined` when there is none.
 */
export async function findProjectConfig(workspace: string): Promise<string | undefined> {
  return (await searchProjectConfig(workspace)).path;
}

/**
 * {@link findProjectConfig}, also telling which files were skipped as another user's.
 *
 * @param workspace - The workspace folder.
 * @returns What the search found.
 */
export async function searchProjectConfig(workspace: string): Promise<ProjectConfigSearch> {
  const start = path.resolve(workspace);
  const top = (await findRepositoryRoot(start)) ?? start;
  const foreign: string[] = [];
  let folder = start;
  for (;;) {
    const candidate = path.join(folder, PROJECT_CONFIG);
    const [dirOwner, fileOwner] = await Promise.all([
      ownedByUser(path.dirname(candidate)),
      ownedByUser(candidate),
    ]);
    if (fileOwner !== "missing") {
      if (dirOwner === "mine" && fileOwner === "mine") return { path: candidate, foreign };
      foreign.push(candidate);
    }
    const parent = path.dirname(folder);
    if (folder === top || parent === folder) return { foreign };
    folder = parent;
  }
}

/**
 * Reads and validates one config file.
 *
 * @param file - The path.
 * @param kind - `project` or `user`, for messages and the rules that differ (a project file may not hold a key).
 * @returns The settings, or `undefined` when the file does not exist.
 * @throws GemmaCoderError `config` when the file is unreadable, not JSON or not valid.
 */
export async function readConfigFile(
  file: string,
  kind: "project" | "user",
): Promise<LoadedConfig | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new GemmaCoderError(`Cannot read the ${kind} config file ${file}: ${String(error)}`, {
      code: "config",
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GemmaCoderError(
      `The ${kind} config file ${file} is not valid JSON (${(error as Error).message}).`,
      { code: "config", cause: error },
    );
  }
  // The schema library loads only when there is a config file to check.
  const { configFileSchema, describeIssues } = await import("./config-schema.js");
  const result = configFileSchema.safeParse(json);
  if (!result.success) {
    throw new GemmaCoderError(
      `The ${kind} config file ${file} is not valid: ${describeIssues(result.error)}. Allowed keys: provider (${PROVIDER_NAMES.join(", ")}), model, baseUrl, ${kind === "user" ? "apiKey, " : ""}contextWindow, ${kind === "user" ? "threads, " : ""}maxSteps, timeout, temperature, constrained, protocol, sessionsDir, mcpServers, verify, repoMap${kind === "user" ? ", trustedFolders" : ""}.`,
      { code: "config", cause: result.error },
    );
  }
  if (kind === "project") refuseUserOnlyKeys(result.data, file);
  return { path: file, kind, config: result.data };
}

/**
 * The keys only the user config file may hold, each with why: what a project file holds
 * is committed to git and chosen by whoever wrote the repository.
 */
const USER_ONLY_KEYS = {
  apiKey:
    "holds an apiKey. Keys do not belong in a project (they end up in git): move it to the user config file or set OPENROUTER_API_KEY.",
  threads:
    "holds threads. How many CPU threads the in-process engine uses depends on your machine, not the project: set it in the user config file.",
  trustedFolders:
    "holds trustedFolders. A folder cannot trust itself: trust is kept in the user config file, and given by answering the question on a terminal or with --trust-project.",
} as const satisfies Partial<Record<keyof ConfigFile, string>>;

function refuseUserOnlyKeys(config: ConfigFile, file: string): void {
  for (const [key, why] of Object.entries(USER_ONLY_KEYS)) {
    if (config[key as keyof typeof USER_ONLY_KEYS] !== undefined) {
      throw new GemmaCoderError(`The project config file ${file} ${why}`, { code: "config" });
    }
  }
}
