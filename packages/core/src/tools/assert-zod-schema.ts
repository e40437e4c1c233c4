import { z } from "zod";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";

/**
 * The zod versions the SDK supports, as its packages declare them in `peerDependencies`.
 * 4.3.0 is the oldest release under which the core, tools and sessions test suites pass:
 * 4.0 to 4.2 (and the `zod/v4` inside zod 3.25) reject two tools that give a schema the
 * same `.meta({ id })`, which tool-call grammars and JSON schemas namespace per tool.
 */
export const ZOD_PEER_RANGE = "^4.3.0";

const MIN_MINOR = 3;
const INSTALL = `gemma-coder needs zod ${ZOD_PEER_RANGE} (a peer dependency): install it with \`npm install zod@${ZOD_PEER_RANGE}\` and build the schema with \`import { z } from "zod"\`.`;

interface ZodVersion {
  major: number;
  minor: number;
  patch: number;
}

/** The version a zod 4 schema carries in `_zod.version`, when it carries one. */
function schemaVersion(schema: object): ZodVersion | undefined {
  const internals = (schema as { _zod?: { version?: Partial<ZodVersion> } })._zod;
  const version = internals?.version;
  if (typeof version?.major !== "number" || typeof version.minor !== "number") return undefined;
  return { major: version.major, minor: version.minor, patch: version.patch ?? 0 };
}

/** What is wrong with `schema`, or `undefined` when it is a supported zod schema. */
function schemaProblem(
  schema: unknown,
): { problem: string; code: "invalid-argument" | "unsupported" } | undefined {
  if (typeof schema !== "object" || schema === null) {
    return {
      problem: `is not a zod schema (got ${schema === null ? "null" : typeof schema})`,
      code: "invalid-argument",
    };
  }
  if (!("_zod" in schema)) {
    if ("_def" in schema && typeof (schema as { safeParse?: unknown }).safeParse === "function") {
      return { problem: "is a zod 3 schema", code: "unsupported" };
    }
    return { problem: "is not a zod schema", code: "invalid-argument" };
  }
  const version = schemaVersion(schema);
  if (version === undefined)
    return { problem: "comes from an unknown zod version", code: "unsupported" };
  const label = `${version.major}.${version.minor}.${version.patch}`;
  if (version.major !== 4 || version.minor < MIN_MINOR) {
    return { problem: `was built with zod ${label}, which is not supported`, code: "unsupported" };
  }
  if (typeof z.toJSONSchema !== "function") {
    return {
      problem: "is fine, but the zod that @gemma-coder/core loads is older than zod 4",
      code: "unsupported",
    };
  }
  return undefined;
}

/**
 * Checks that a tool's input schema is a zod schema of a supported version, so an app
 * on zod 3 or an older zod 4 learns it when the tool is defined, not mid-run.
 *
 * @param toolName - The tool, for the message.
 * @param schema - Its `inputSchema`.
 * @throws GemmaCoderError `unsupported` for a zod 3 schema or an unsupported zod 4
 *   version, `invalid-argument` for a value that is not a zod schema; the message says
 *   which zod to install.
 */
export function assertZodSchema(toolName: string, schema: unknown): void {
  const found = schemaProblem(schema);
  if (found === undefined) return;
  throw new GemmaCoderError(`Tool "${toolName}": its inputSchema ${found.problem}. ${INSTALL}`, {
    code: found.code,
  });
}
