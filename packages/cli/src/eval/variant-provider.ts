import { GemmaCoderError } from "@gemma-coder/core";
import { modelsDir } from "../cache-dir.js";
import { PROVIDER_NAMES, type ProviderName } from "../config/config-file.js";
import type { Env } from "../config/resolve-settings.js";
import type { ProviderFactory, VariantSpec } from "./eval-variants.js";

/** Where a variant's backend reports: the environment and the progress stream. */
export interface VariantProviderIo {
  /** The environment (server addresses, keys, the models folder). */
  env: Env;
  /** Where the in-process engine tells how loading the model goes. */
  stderr: { write(text: string): unknown; isTTY?: boolean | undefined };
}

/**
 * Opens each variant's backend once, before any run: a server, checked that it answers
 * and has the model, or the in-process engine on a GGUF file that is already here (an
 * eval never downloads a model: it would wait on a multi-gigabyte download nobody asked
 * for). The in-process engine's label is its file name, as a run's header shows it.
 *
 * @param io - Environment and progress stream.
 * @param signal - Cancels a backend that is still being opened.
 * @returns The factory `buildVariants` calls.
 */
export function variantProviders(io: VariantProviderIo, signal: AbortSignal): ProviderFactory {
  return async (spec) => {
    const name = providerName(spec);
    if (name === "embedded") {
      const { createEmbeddedProvider } = await import("../embedded.js");
      const ready = await createEmbeddedProvider(spec.model, modelsDir(io.env), {
        allowDownload: false,
        stderr: io.stderr,
        signal,
        contextSize: spec.contextWindow,
      });
      return { provider: ready.provider, label: ready.label };
    }
    const { createProvider } = await import("../providers.js");
    const { model, baseUrl, contextWindow } = spec;
    const ready = await createProvider(
      { provider: name, model, baseUrl, contextWindow },
      { env: io.env, signal },
    );
    // A server's model is named by its tag alone: the address is the same in every row.
    return { provider: ready.provider };
  };
}

function providerName(spec: VariantSpec): ProviderName {
  const name = spec.provider ?? "ollama";
  if ((PROVIDER_NAMES as readonly string[]).includes(name)) return name as ProviderName;
  throw new GemmaCoderError(
    `Unknown provider "${name}": use one of ${PROVIDER_NAMES.join(", ")}.`,
    { code: "invalid-argument" },
  );
}
