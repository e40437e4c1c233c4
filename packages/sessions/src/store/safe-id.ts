import { GemmaCoderError } from "@gemma-coder/core";

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Checks that an id (a session or run id) can name a file: letters, digits, `.`,
 * `_` and `-`, so no id can reach outside its folder.
 *
 * @internal
 */
export function assertSafeId(id: unknown, what: string): asserts id is string {
  if (typeof id !== "string" || !SAFE_ID.test(id) || id.includes("..")) {
    throw new GemmaCoderError(
      `${JSON.stringify(id)} is not a valid ${what} (letters, digits, ".", "_" and "-").`,
      { code: "invalid-argument" },
    );
  }
}

/**
 * Whether an id can name a file (see {@link assertSafeId}), without throwing.
 *
 * @internal
 */
export function isSafeId(id: unknown): id is string {
  return typeof id === "string" && SAFE_ID.test(id) && !id.includes("..");
}
