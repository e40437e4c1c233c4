import type { CliArgs } from "../args.js";
import { ignoredWarning } from "../config/folder-trust.js";
import { type Env, resolveSettings, type Settings } from "../config/resolve-settings.js";

/**
 * The settings of a session's folder, resolved exactly as a terminal run started in that
 * folder resolves them (flags, environment, that folder's project config, the user
 * config), with the same folder-trust rule as every run without a terminal: nobody can be
 * asked (stdin carries the protocol), so an untrusted project's gated settings (provider,
 * baseUrl, sessionsDir, a model file, mcpServers, verify) count only with
 * `--trust-project` or a "yes" remembered from a terminal. What was left out is logged.
 *
 * @param args - The parsed command line.
 * @param env - The environment.
 * @param root - The session's folder.
 * @param log - Writes one log line (stderr).
 * @returns The folder's settings.
 * @throws GemmaCoderError `config` for an invalid config file.
 */
export async function resolveFolderSettings(
  args: CliArgs,
  env: Env,
  root: string,
  log: (text: string) => void,
): Promise<Settings> {
  const settings = await resolveSettings(args, env, root, {
    decideTrust: async (request) => args.trustProject || request.remembered === true,
  });
  if (settings.ignored) log(ignoredWarning(settings.ignored));
  for (const file of settings.foreign) {
    log(`the config file ${file} belongs to another user, so it was not read.`);
  }
  return settings;
}

/** The settings that pick the model backend: one backend serves a whole connection. */
type BackendSettings = Pick<Settings, "provider" | "model" | "baseUrl">;

/** The backend settings as a phrase for a log line. */
function describeBackend(settings: BackendSettings): string {
  const parts = [
    settings.provider ?? "the detected backend",
    ...(settings.model === undefined ? [] : [`model ${settings.model}`]),
    ...(settings.baseUrl === undefined ? [] : [`at ${settings.baseUrl}`]),
  ];
  return parts.join(" ");
}

/**
 * Says, for a log line, when a later session's folder asks for another backend than the
 * one the connection chose at its first session (the connection keeps its own).
 *
 * @param chosen - The settings the connection's backend was chosen with.
 * @param wanted - The new session's settings.
 * @param root - The new session's folder.
 * @returns The log line, or `undefined` when both name the same backend.
 */
export function backendMismatch(
  chosen: BackendSettings,
  wanted: BackendSettings,
  root: string,
): string | undefined {
  const same =
    chosen.provider === wanted.provider &&
    chosen.model === wanted.model &&
    chosen.baseUrl === wanted.baseUrl;
  if (same) return undefined;
  return `the settings of ${root} ask for ${describeBackend(wanted)}, but this connection already uses ${describeBackend(chosen)}: one model backend per connection, so the session uses that one. Start the agent again (a new editor window or an agent restart) with that folder's session first, or set the backend with flags, to use the other.`;
}
