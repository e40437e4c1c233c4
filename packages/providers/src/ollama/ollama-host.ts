/** Ollama's default address. */
export const OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434";

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Turns an `OLLAMA_HOST` value into a base URL the way the Ollama CLI reads it: the
 * scheme is optional (`http` by default), the port defaults to 11434 for http, and a
 * wildcard bind address (`0.0.0.0`, `::`) means this machine.
 *
 * @param value - The `OLLAMA_HOST` value.
 * @returns A base URL without a trailing slash.
 */
export function resolveOllamaHost(value: string | undefined): string {
  const text = value?.trim();
  if (!text) return OLLAMA_DEFAULT_URL;
  const withScheme = SCHEME.test(text) ? text : `http://${text}`;
  const authority = withScheme.replace(SCHEME, "").split("/")[0] ?? "";
  const explicitPort = /:\d+$/.test(authority);
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return OLLAMA_DEFAULT_URL;
  }
  if (url.hostname === "0.0.0.0" || url.hostname === "[::]" || url.hostname === "") {
    url.hostname = "127.0.0.1";
  }
  if (!explicitPort && url.protocol === "http:") url.port = "11434";
  return url.toString().replace(/\/+$/, "");
}
