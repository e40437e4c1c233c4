import type { Settings } from "../config/resolve-settings.js";

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
