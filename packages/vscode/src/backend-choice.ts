import type { ProviderSetting } from "./settings.js";

/** A backend the agent can use, as detection finds it or the settings name it. */
export interface BackendChoice {
  /** The provider (never `auto`). */
  provider: Exclude<ProviderSetting, "auto">;
  /** The model: a tag or model id; for `embedded`, the GGUF file. */
  model?: string | undefined;
  /** The server address, for server backends. */
  baseUrl?: string | undefined;
  /** A few words for the pick list and the status item. */
  label: string;
}

/** The command that serves a GGUF file with llama.cpp's server, for the embedded choice. */
export function llamaServerCommand(file: string): string {
  return `llama-server -m "${file}" -c 8192 --jinja --port 8080`;
}
