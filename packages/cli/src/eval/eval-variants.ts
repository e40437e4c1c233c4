import { promises as fs } from "node:fs";
import path from "node:path";
import type { ModelProvider } from "@gemma-coder/core";
import { EvalFileError, type EvalVariant, variantId } from "@gemma-coder/eval";
import { z } from "zod";
import { CONSTRAINED_VALUES, type ConstrainedFlag } from "../args.js";
import { PROVIDER_NAMES } from "../config/config-file.js";
import type { Env } from "../config/resolve-settings.js";
import { constrainedModeFor } from "../constrained-mode.js";
import type { EvalArgs } from "./eval-args.js";

/** One compared set of options: a model, its backend, and agent options. */
export interface VariantSpec {
  /** The model column; default: the model and the options that differ. */
  label?: string | undefined;
  /** `ollama`, `llama-cpp`, `openrouter` or `embedded` (a local GGUF, in-process). */
  provider?: string | undefined;
  /** The model id or tag. */
  model?: string | undefined;
  /** The server address. */
  baseUrl?: string | undefined;
  /** How replies are constrained (as `--constrained`). */
  constrained?: ConstrainedFlag | undefined;
  /** The context window in tokens. */
  contextWindow?: number | undefined;
  /** Any agent option (`temperature`, `protocol`, ...), passed to the agent as it is. */
  agent?: Record<string, unknown> | undefined;
}

const specSchema = z
  .object({
    label: z.string().trim().min(1).optional(),
    provider: z.enum(PROVIDER_NAMES).optional(),
    model: z.string().trim().min(1).optional(),
    baseUrl: z.string().trim().min(1).optional(),
    constrained: z.enum(CONSTRAINED_VALUES as [ConstrainedFlag, ...ConstrainedFlag[]]).optional(),
    contextWindow: z.number().int().min(512).optional(),
    agent: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const specsSchema = z.array(specSchema).min(1, "lists no variant");

/**
 * Reads a `--variants` file: a JSON array of option sets, each compared with the others.
 *
 * @param file - The file.
 * @returns The specs.
 * @throws EvalFileError naming the file and field.
 */
export async function readVariantsFile(file: string): Promise<VariantSpec[]> {
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EvalFileError(
      file,
      undefined,
      code === "ENOENT"
        ? "the file does not exist."
        : `is not readable JSON: ${(error as Error).message}`,
    );
  }
  const parsed = specsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? issue.path.join(".") : undefined;
    throw new EvalFileError(file, field, `${issue?.message ?? "is not a list of variants"}.`);
  }
  return parsed.data;
}

/**
 * The option sets an eval compares: from `--variants`, else one per `--model` crossed with
 * each `--constrained`; `--set` adds agent options to every one. The backend, model and
 * address fall back on `GEMMA_CODER_PROVIDER` (else Ollama), `GEMMA_CODER_MODEL` and
 * `GEMMA_CODER_BASE_URL`.
 *
 * @param args - The parsed arguments.
 * @param env - The environment.
 * @param cwd - The folder relative paths start from.
 * @returns The specs, at least one.
 */
export async function variantSpecs(args: EvalArgs, env: Env, cwd: string): Promise<VariantSpec[]> {
  const base: VariantSpec = {
    provider: args.provider ?? env.GEMMA_CODER_PROVIDER,
    model: env.GEMMA_CODER_MODEL,
    baseUrl: args.baseUrl ?? env.GEMMA_CODER_BASE_URL,
  };
  let specs: VariantSpec[];
  if (args.variantsFile !== undefined) {
    const listed = await readVariantsFile(path.resolve(cwd, args.variantsFile));
    specs = listed.map((spec) => ({ ...base, ...spec }));
  } else {
    const models = args.models.length > 0 ? args.models : [base.model];
    const modes = args.constrained.length > 0 ? args.constrained : [undefined];
    specs = models.flatMap((model) =>
      modes.map((constrained) => ({ ...base, model, constrained })),
    );
  }
  if (Object.keys(args.set).length > 0) {
    specs = specs.map((spec) => ({ ...spec, agent: { ...args.set, ...spec.agent } }));
  }
  return specs;
}

/**
 * What it takes to build a variant's provider; `label` names the model where the
 * provider's own name for it would not read well (a GGUF file's whole path).
 */
export type ProviderFactory = (
  spec: VariantSpec,
) => Promise<{ provider: ModelProvider; label?: string | undefined }>;

/**
 * Builds the variants: each spec's provider is made (and checked) once, before any run,
 * so a wrong model or an unreachable server stops the eval at once; every run of the
 * variant then shares it.
 *
 * @param specs - The option sets.
 * @param createProvider - Makes and checks a provider.
 * @returns The variants, with unique ids.
 */
export async function buildVariants(
  specs: readonly VariantSpec[],
  createProvider: ProviderFactory,
): Promise<EvalVariant[]> {
  const variants: EvalVariant[] = [];
  const showMode = new Set(specs.map((spec) => spec.constrained ?? "")).size > 1;
  for (const spec of specs) {
    const { provider, label: named } = await createProvider(spec);
    // The default grammar teaches the tag protocol: off for a native or json variant.
    const protocol = spec.agent?.protocol;
    const agent: Record<string, unknown> = {
      constrainedDecoding: constrainedModeFor(
        spec.constrained,
        provider.id,
        protocol === "native" || protocol === "json" ? protocol : undefined,
      ),
      ...spec.agent,
    };
    const label = spec.label ?? defaultLabel(spec, named ?? provider.model, provider, showMode);
    let id = variantId(label);
    for (let n = 2; variants.some((variant) => variant.id === id); n++)
      id = `${variantId(label)}-${n}`;
    variants.push({
      id,
      label,
      provider: () => provider,
      agentOptions: agent,
      dispose: () => provider.dispose?.(),
    });
  }
  return variants;
}

function defaultLabel(
  spec: VariantSpec,
  model: string | undefined,
  provider: ModelProvider,
  showMode: boolean,
): string {
  const parts = [model ?? spec.model ?? provider.id];
  if (showMode && spec.constrained) parts.push(`constrained ${spec.constrained}`);
  for (const [key, value] of Object.entries(spec.agent ?? {})) {
    parts.push(`${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  return parts.join(" · ");
}
