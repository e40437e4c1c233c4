import type { CliArgs } from "../args.js";
import { ignoredWarning } from "./folder-trust.js";
import { type Env, resolveSettings, type Settings } from "./resolve-settings.js";

/**
 * The settings of a folder for a mode where stdin carries a protocol (`acp`, `mcp`),
 * resolved exactly as a terminal run started in that folder resolves them (flags,
 * environment, that folder's project config, the user config), with the folder-trust rule
 * of every run without a terminal: nobody can be asked, so an untrusted project's gated
 * settings (provider, baseUrl, sessionsDir, a model file, mcpServers, verify) count only
 * with `--trust-project` or a "yes" remembered from a terminal. What was left out is logged.
 *
 * @param args - The parsed command line.
 * @param env - The environment.
 * @param root - The folder (an ACP session's, the MCP server's workspace).
 * @param log - Writes one log line (stderr).
 * @returns The folder's settings.
 * @throws GemmaCoderError `config` for an invalid config file.
 */
export async function resolveHeadlessSettings(
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
