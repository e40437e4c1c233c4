// The schema of a config file. Its own module, loaded only when a config file is read:
// commands that find none (a `gemma-coder map` in a fresh checkout) do not load the
// schema library.
import { z } from "zod";
import { PROVIDER_NAMES, VERIFY_LANGUAGE_KEYS } from "./config-file.js";

const positiveInt = z.number().int().positive();

const verifyCommand = z.union([
  z.string().min(1),
  z.object({ command: z.string().min(1), timeout: z.number().positive().optional() }).strict(),
]);

/** The schema of `verify`: per language, a command or a list of them (see the docs). */
export const verifySchema = z.partialRecord(
  z.enum(VERIFY_LANGUAGE_KEYS),
  z.union([verifyCommand, z.array(verifyCommand)]),
);

/** The schema of a config file. Unknown keys are errors, so a typo does not pass silently. */
export const configFileSchema = z
  .object({
    $schema: z.string().optional(),
    provider: z.enum(PROVIDER_NAMES).optional(),
    model: z.string().min(1).optional(),
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    apiKey: z.string().min(1).optional(),
    contextWindow: positiveInt.optional(),
    threads: z.number().int().min(1).max(256).optional(),
    maxSteps: positiveInt.optional(),
    timeout: z.union([z.number().positive(), z.string().min(1)]).optional(),
    temperature: z.number().min(0).max(2).optional(),
    constrained: z.enum(["auto", "grammar", "json", "off"]).optional(),
    protocol: z.enum(["text", "native", "json"]).optional(),
    sessionsDir: z.string().min(1).optional(),
    verify: verifySchema.optional(),
    repoMap: z.union([z.boolean(), positiveInt]).optional(),
    trustedFolders: z.record(z.string(), z.boolean()).optional(),
    // Checked entry by entry when the servers start (see mcp-tools.ts), so reading the
    // config does not load the MCP library.
    mcpServers: z.record(z.string().min(1), z.record(z.string(), z.unknown())).optional(),
  })
  .strict();

/** What a config file may hold. */
export type ConfigFile = z.output<typeof configFileSchema>;

/**
 * Describes what is wrong with a config file, one issue after another.
 *
 * @param error - What the schema found.
 * @returns The issues, in words.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join(".") : "the file";
      if (issue.code === "unrecognized_keys") {
        return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}${issue.path.length > 0 ? ` in ${where}` : ""}`;
      }
      return `${where}: ${issue.message}`;
    })
    .join("; ");
}
