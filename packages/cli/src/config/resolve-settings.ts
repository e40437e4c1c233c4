import os from "node:os";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core/basics";
import {
  type CliArgs,
  type ConstrainedFlag,
  checkDurationLimit,
  MAX_DURATION_MS,
  type ProtocolFlag,
  parseDuration,
} from "../args.js";
import {
  type ConfigFile,
  type LoadedConfig,
  PROVIDER_NAMES,
  type ProviderName,
  readConfigFile,
  searchProjectConfig,
  userConfigPath,
} from "./config-file.js";
import {
  applyFolderTrust,
  type IgnoredProjectSettings,
  type TrustDecider,
} from "./folder-trust.js";
import { collectMcpServers, type McpServerSettings } from "./mcp-servers.js";

/** The `verify` key of a config file. */
export type VerifyConfigFile = NonNullable<ConfigFile["verify"]>;

/** Environment variables, as read by the CLI. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The settings of a run after every layer was applied. */
export interface Settings {
  /** The backend, when some layer named one; otherwise detection picks. */
  provider?: ProviderName;
  model?: string;
  baseUrl?: string;
  apiKey?: string;
  contextWindow?: number;
  /** CPU threads for the in-process engine (user config only). */
  threads?: number;
  maxSteps?: number;
  timeoutMs?: number;
  temperature?: number;
  /** `--constrained` or the `constrained` key; unset: on where the backend enforces it. */
  constrained?: ConstrainedFlag;
  /** `--protocol` or the `protocol` key; unset: the text protocol. */
  protocol?: ProtocolFlag;
  /** Where transcripts and checkpoints are kept (absolute); unset: the sessions library decides. */
  sessionsDir?: string;
  /** The MCP servers whose tools join the run (`--mcp-config`, `mcpServers` in the files). */
  mcpServers?: McpServerSettings;
  /**
   * Commands run after every edit, per language (`verify`): from the user config or a
   * trusted project config; the first file that sets it wins, whole.
   */
  verify?: VerifyConfigFile;
  /** The repository map: `false` turns it off, a number sets its budget in tokens. */
  repoMap?: boolean | number;
  /** Where each setting came from (`--model`, `OLLAMA_HOST`, a file path, ...). */
  sources: Partial<
    Record<
      Exclude<keyof Settings, "sources" | "files" | "ignored" | "foreign" | "mcpServers">,
      string
    >
  >;
  /** The config files that were read (a project file without what trust left out). */
  files: LoadedConfig[];
  /** The project settings left out because the folder is not trusted. */
  ignored?: IgnoredProjectSettings;
  /** Project config files skipped because another user owns them. */
  foreign: string[];
}

/** Options of {@link resolveSettings}. */
export interface ResolveSettingsOptions {
  /**
   * Decides whether an untrusted project folder may set where requests, keys and files
   * go (`provider`, `baseUrl`, `sessionsDir`). Without it only a remembered "yes" trusts.
   */
  decideTrust?: TrustDecider;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}

function checkProvider(value: string, source: string): ProviderName {
  if (isProviderName(value)) return value;
  throw new GemmaCoderError(
    `Unknown provider "${value}" (from ${source}). The CLI knows ${PROVIDER_NAMES.join(", ")}: use --provider ollama for a local Ollama, llama-cpp for llama-server, openrouter with OPENROUTER_API_KEY for the cloud, or embedded to run a GGUF file in-process.`,
    { code: "config" },
  );
}

function checkUrl(value: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new GemmaCoderError(
      `The server address "${value}" (from ${source}) is not an http:// or https:// URL, for example http://127.0.0.1:11434.`,
      { code: "config" },
    );
  }
  return value.replace(/\/+$/, "");
}

/**
 * Resolves a path written in a config file: `~/` is the home folder; a relative path
 * is relative to the project root for a project file (the folder holding
 * `.gemma-coder`), to the home folder for the user file.
 */
function configPath(file: LoadedConfig, value: string, env: Env): string {
  const home = env.HOME ?? os.homedir();
  if (value === "~" || value.startsWith("~/") || value.startsWith("~\\")) {
    return path.join(home, value.slice(1));
  }
  const base = file.kind === "project" ? path.dirname(path.dirname(file.path)) : home;
  return path.resolve(base, value);
}

// long-function: every setting picked from its layers (flags, environment, project and user files) in rank order, side by side so the ranking reads as one table
/**
 * Merges the settings layers. Precedence, highest first: command-line flags, environment
 * variables, the project config file, the user config file. What no layer sets is left
 * undefined (the provider then comes from detection).
 *
 * @param args - The parsed command line.
 * @param env - The environment.
 * @param workspace - The workspace folder, where the project config is looked for.
 * @param options - How folder trust is decided.
 * @returns The merged settings and where each came from.
 * @throws GemmaCoderError `config` for an unknown provider, a bad URL or an invalid file.
 */
export async function resolveSettings(
  args: CliArgs,
  env: Env,
  workspace: string,
  options: ResolveSettingsOptions = {},
): Promise<Settings> {
  const search = await searchProjectConfig(workspace);
  const [found, user] = await Promise.all([
    search.path ? readConfigFile(search.path, "project") : undefined,
    readConfigFile(userConfigPath(env), "user"),
  ]);
  const trust = found ? await applyFolderTrust(found, user, options.decideTrust) : undefined;
  const files = [trust?.project, user].filter((file): file is LoadedConfig => file !== undefined);
  const settings: Settings = { sources: {}, files, foreign: search.foreign };
  if (trust?.ignored) settings.ignored = trust.ignored;

  const pick = <K extends keyof Settings["sources"]>(
    key: K,
    layers: ReadonlyArray<[value: Settings[K] | undefined, source: string]>,
  ) => {
    for (const [value, source] of layers) {
      if (value !== undefined && value !== "") {
        (settings as unknown as Record<string, unknown>)[key] = value;
        settings.sources[key] = source;
        return;
      }
    }
  };
  const fileLayer = <T>(get: (file: LoadedConfig) => T | undefined) =>
    files.map((file): [T | undefined, string] => [get(file), file.path]);

  const envProvider = env.GEMMA_CODER_PROVIDER;
  pick("provider", [
    [
      args.provider === undefined ? undefined : checkProvider(args.provider, "--provider"),
      "--provider",
    ],
    [
      envProvider ? checkProvider(envProvider, "GEMMA_CODER_PROVIDER") : undefined,
      "GEMMA_CODER_PROVIDER",
    ],
    ...fileLayer((file) => file.config.provider),
  ]);
  pick("model", [
    [args.model, "--model"],
    [env.GEMMA_CODER_MODEL, "GEMMA_CODER_MODEL"],
    ...fileLayer((file) => file.config.model),
  ]);
  pick("baseUrl", [
    [args.baseUrl === undefined ? undefined : checkUrl(args.baseUrl, "--base-url"), "--base-url"],
    [
      env.GEMMA_CODER_BASE_URL
        ? checkUrl(env.GEMMA_CODER_BASE_URL, "GEMMA_CODER_BASE_URL")
        : undefined,
      "GEMMA_CODER_BASE_URL",
    ],
    ...fileLayer((file) => file.config.baseUrl?.replace(/\/+$/, "")),
  ]);
  // OLLAMA_HOST speaks for Ollama only, at the environment's rank: it beats the files.
  // The address is left for the provider to read, the way the Ollama CLI reads it.
  const fromFile = files.some((file) => file.path === settings.sources.baseUrl);
  if (
    settings.provider === "ollama" &&
    env.OLLAMA_HOST &&
    (settings.baseUrl === undefined || fromFile)
  ) {
    delete settings.baseUrl;
    settings.sources.baseUrl = "OLLAMA_HOST";
  }
  pick("apiKey", [
    [env.OPENROUTER_API_KEY, "OPENROUTER_API_KEY"],
    ...fileLayer((file) => file.config.apiKey),
  ]);
  pick(
    "contextWindow",
    fileLayer((file) => file.config.contextWindow),
  );
  pick(
    "threads",
    fileLayer((file) => file.config.threads),
  );
  pick("maxSteps", [[args.maxSteps, "--max-steps"], ...fileLayer((file) => file.config.maxSteps)]);
  pick("timeoutMs", [
    [args.timeoutMs, "--timeout"],
    ...fileLayer((file) => {
      const value = file.config.timeout;
      if (value === undefined) return undefined;
      let ms: number;
      try {
        ms = typeof value === "number" ? Math.round(value * 1000) : parseDuration(value);
      } catch (error) {
        const tooLong =
          GemmaCoderError.isInstance(error) && /longest supported/.test(error.message);
        if (!tooLong) {
          throw new GemmaCoderError(
            `The config file ${file.path} has timeout "${value}": use seconds (90) or a duration such as "10m".`,
            { code: "config" },
          );
        }
        ms = MAX_DURATION_MS + 1;
      }
      try {
        return checkDurationLimit(ms, `timeout "${value}"`);
      } catch (error) {
        throw new GemmaCoderError(`The config file ${file.path}: ${errorMessage(error)}`, {
          code: "config",
        });
      }
    }),
  ]);
  pick(
    "temperature",
    fileLayer((file) => file.config.temperature),
  );
  pick("constrained", [
    [args.constrained, "--constrained"],
    ...fileLayer((file) => file.config.constrained),
  ]);
  pick("protocol", [[args.protocol, "--protocol"], ...fileLayer((file) => file.config.protocol)]);
  pick("sessionsDir", [
    [
      args.sessionsDir === undefined ? undefined : path.resolve(workspace, args.sessionsDir),
      "--sessions-dir",
    ],
    [
      env.GEMMA_CODER_SESSIONS_DIR
        ? path.resolve(workspace, env.GEMMA_CODER_SESSIONS_DIR)
        : undefined,
      "GEMMA_CODER_SESSIONS_DIR",
    ],
    ...fileLayer((file) =>
      file.config.sessionsDir === undefined
        ? undefined
        : configPath(file, file.config.sessionsDir, env),
    ),
  ]);
  const mcpServers = await collectMcpServers(files, args.mcpConfig, workspace);
  if (mcpServers) settings.mcpServers = mcpServers;
  pick(
    "verify",
    fileLayer((file) => file.config.verify),
  );
  pick(
    "repoMap",
    fileLayer((file) => file.config.repoMap),
  );
  return settings;
}
