import { isRecord } from "../http/errors.js";
import type { HttpClient } from "../http/http-client.js";
import type { ModelInfo } from "../shared/model-info.js";

/**
 * Reads an OpenAI-style `GET /models` list. The context length is taken from the
 * field each server uses: `context_length` (OpenRouter), `max_model_len` (vLLM),
 * `meta.n_ctx_train` (llama.cpp) or `loaded_context_length`/`max_context_length`.
 *
 * @param client - The provider's client.
 * @param path - The models path.
 * @param signal - Cancels the request.
 * @param retry - `false` for a single attempt (health checks).
 * @returns The models.
 */
export async function listOpenAIModels(
  client: HttpClient,
  path: string,
  signal?: AbortSignal,
  retry = true,
): Promise<ModelInfo[]> {
  const body = await client.json({ method: "GET", path, signal }, { retry });
  const data = isRecord(body) && Array.isArray(body.data) ? body.data : [];
  const models: ModelInfo[] = [];
  for (const entry of data) {
    if (!isRecord(entry) || typeof entry.id !== "string") continue;
    const meta = isRecord(entry.meta) ? entry.meta : {};
    const length = [
      entry.context_length,
      entry.max_model_len,
      entry.loaded_context_length,
      entry.max_context_length,
      meta.n_ctx_train,
    ].find((value) => typeof value === "number" && value > 0) as number | undefined;
    const model: ModelInfo = { id: entry.id, raw: entry };
    if (length !== undefined) model.contextLength = length;
    models.push(model);
  }
  return models;
}
