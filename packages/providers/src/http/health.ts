import { GemmaCoderError } from "@gemma-coder/core";
import type { HealthStatus } from "../shared/model-info.js";

/**
 * Describes a failed health probe without throwing.
 *
 * @param error - What the probe threw.
 * @returns The health status.
 */
export function healthFromError(error: unknown): HealthStatus {
  if (!GemmaCoderError.isInstance(error)) {
    return { ok: false, status: "error", message: String(error), error };
  }
  if (error.code === "aborted") throw error;
  if (
    error.code === "provider-connection" ||
    (error.code === "provider-timeout" && error.status === undefined)
  ) {
    return { ok: false, status: "unreachable", message: error.message, error };
  }
  if (error.status === 503) return { ok: false, status: "loading", message: error.message, error };
  return { ok: false, status: "error", message: error.message, error };
}
