import { promises as fs } from "node:fs";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core/basics";
import { type ConfigFile, type LoadedConfig, userConfigPath } from "./config-file.js";

/**
 * The project settings that need the folder to be trusted: where requests (and keys) go
 * (`provider`, `baseUrl`), where files are written (`sessionsDir`), a `model` that
 * names a model file or download address (see {@link needsTrust}), which programs start
 * (`mcpServers`: each stdio server is a command), and the commands run after every edit
 * (`verify`). A cloned repository must not be able to choose them on its own.
 */
export const TRUST_GATED_KEYS = [
  "provider",
  "baseUrl",
  "sessionsDir",
  "model",
  "mcpServers",
  "verify",
] as const;

/** One of {@link TRUST_GATED_KEYS}. */
export type TrustGatedKey = (typeof TRUST_GATED_KEYS)[number];

/** What is asked when a project config holds settings that need trust. */
export interface TrustRequest {
  /** The project folder (the real path of the folder holding `.gemma-coder`). */
  root: string;
  /** The project config file. */
  file: string;
  /** The settings that need trust, as the file has them. */
  settings: ReadonlyArray<readonly [key: TrustGatedKey, value: string]>;
  /** The answer remembered in the user config, if any. */
  remembered: boolean | undefined;
}

/** Decides whether a project folder is trusted (asks, reads a flag, or says no). */
export type TrustDecider = (request: TrustRequest) => Promise<boolean>;

/** A project config whose gated settings were left out. */
export interface IgnoredProjectSettings {
  /** The project config file. */
  file: string;
  /** The keys that were left out. */
  keys: TrustGatedKey[];
  /** Whether the user said no before (remembered), rather than nobody being asked. */
  refused: boolean;
}

/**
 * The settings of a project config that need trust.
 *
 * @param config - The project file's settings.
 * @returns Each gated key the file sets, with its value.
 */
export function gatedSettings(config: ConfigFile): Array<[TrustGatedKey, string]> {
  const found: Array<[TrustGatedKey, string]> = [];
  for (const key of TRUST_GATED_KEYS) {
    const raw = config[key];
    if (raw === undefined) continue;
    if (key === "mcpServers") {
      found.push([key, describeMcpServers(raw as NonNullable<ConfigFile["mcpServers"]>)]);
      continue;
    }
    // The question shows exactly what would run: the commands as the file has them.
    const value = typeof raw === "string" ? raw : JSON.stringify(raw);
    if (needsTrust(key, value)) found.push([key, value]);
  }
  return found;
}

/**
 * What a project's MCP servers would do, as the trust question shows it: the whole
 * command line of each program it would start, or the URL it would reach.
 */
function describeMcpServers(servers: Record<string, Record<string, unknown>>): string {
  return Object.entries(servers)
    .map(([name, entry]) => {
      const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
      const target =
        typeof entry.command === "string"
          ? `runs ${[entry.command, ...args].map((word) => JSON.stringify(word)).join(" ")}`
          : `reaches ${String(entry.url)}`;
      return `${name} ${target}`;
    })
    .join("; ");
}

/**
 * Whether a project's value for a gated key needs trust. Every value does, except a
 * `model` that is a plain name (`gemma4:e2b`, `google/gemma-3-4b-it`): a name only picks
 * among the models a backend already has. A model file or address (`*.gguf`, a path,
 * `hf:`, `http(s):`, `file:`) is loaded, or downloaded, and handed to llama.cpp's native
 * GGUF parser by the in-process engine, so a planted file is attack surface.
 *
 * @param key - The gated key.
 * @param value - The project's value for it.
 * @returns `true` when the folder must be trusted for the value to apply.
 */
export function needsTrust(key: TrustGatedKey, value: string): boolean {
  if (key !== "model") return true;
  const ref = value.trim();
  return (
    /\.gguf$/i.test(ref) || /^(hf|https?|file):/i.test(ref) || /^([/\\.~]|[A-Za-z]:)/.test(ref)
  );
}

/**
 * The folder a project config belongs to, as a real path (symlinks resolved), which is
 * the key trust is remembered under.
 *
 * @param file - The project config file (`<root>/.gemma-coder/config.json`).
 * @returns The real path of `<root>`.
 */
export async function projectRoot(file: string): Promise<string> {
  const folder = path.dirname(path.dirname(file));
  return fs.realpath(folder).catch(() => path.resolve(folder));
}

/**
 * The question asked on a terminal: the folder, the file, and exactly which settings it
 * would apply.
 *
 * @param request - What needs trust.
 * @returns The question, ending with the answers it takes.
 */
export function trustQuestion(request: TrustRequest): string {
  const lines = request.settings.map(
    ([key, value]) =>
      `    ${key}: ${key === "mcpServers" || key === "verify" ? value : JSON.stringify(value)}`,
  );
  const programs = request.settings.some(([key]) => key === "mcpServers");
  const commands = request.settings.some(([key]) => key === "verify");
  return [
    `The project config ${request.file} sets where requests, keys or files go, or which model file is loaded${programs ? ", or programs to start" : ""}${commands ? ", or commands to run after every edit" : ""}:`,
    ...lines,
    `Trust this folder's settings? (${request.root}; remembered in the user config) [y]es/[n]o `,
  ].join("\n");
}

/**
 * The warning printed when a project's gated settings were left out.
 *
 * @param ignored - What was left out.
 * @returns One sentence with the way to trust the folder.
 */
export function ignoredWarning(ignored: IgnoredProjectSettings): string {
  const why = ignored.refused
    ? "you answered no to trusting this folder"
    : "the folder is not trusted and there was no terminal to ask";
  return `the project config ${ignored.file} is not trusted (${why}), so its ${ignored.keys.join(", ")} ${ignored.keys.length === 1 ? "was" : "were"} ignored. To use ${ignored.keys.length === 1 ? "it" : "them"}, pass --trust-project or answer yes on a terminal.`;
}

/**
 * Records a trust answer for a folder in the user config file (`trustedFolders`, keyed
 * by real path), keeping every other setting. The file is written whole to a temporary
 * file and renamed over, readable by the user only (it may hold a key).
 *
 * @param env - The environment (where the user config is).
 * @param root - The folder's real path.
 * @param trusted - The answer.
 * @throws GemmaCoderError `config` when the file cannot be read or written.
 */
export async function rememberFolderTrust(
  env: Readonly<Record<string, string | undefined>>,
  root: string,
  trusted: boolean,
): Promise<void> {
  const file = userConfigPath(env);
  let config: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(file, "utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      config = parsed as Record<string, unknown>;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new GemmaCoderError(`Cannot update the user config file ${file}: ${String(error)}`, {
        code: "config",
        cause: error,
      });
    }
  }
  const folders =
    config.trustedFolders && typeof config.trustedFolders === "object"
      ? (config.trustedFolders as Record<string, boolean>)
      : {};
  config.trustedFolders = { ...folders, [root]: trusted };
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fs.writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new GemmaCoderError(`Cannot update the user config file ${file}: ${String(error)}`, {
      code: "config",
      cause: error,
    });
  }
}

/**
 * Applies folder trust to a project config: when it sets gated settings and the folder
 * is not trusted, a copy without them is returned.
 *
 * @param project - The project config.
 * @param user - The user config (where answers are remembered).
 * @param decide - Decides for a folder with no remembered "yes"; without one, only a
 *   remembered "yes" trusts.
 * @returns The config to use, and what was left out.
 */
export async function applyFolderTrust(
  project: LoadedConfig,
  user: LoadedConfig | undefined,
  decide: TrustDecider | undefined,
): Promise<{ project: LoadedConfig; ignored?: IgnoredProjectSettings }> {
  const settings = gatedSettings(project.config);
  if (settings.length === 0) return { project };
  const root = await projectRoot(project.path);
  const remembered = user?.config.trustedFolders?.[root];
  const trusted =
    remembered === true ||
    (decide ? await decide({ root, file: project.path, settings, remembered }) : false);
  if (trusted) return { project };
  const config = { ...project.config };
  for (const [key] of settings) delete config[key];
  return {
    project: { ...project, config },
    ignored: {
      file: project.path,
      keys: settings.map(([key]) => key),
      refused: remembered === false,
    },
  };
}
