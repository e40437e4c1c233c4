import type { IncomingMessage } from "node:http";

/** What a probe found. */
export interface ProbeResult {
  /** A server answered (with any status). */
  reachable: boolean;
  /** The HTTP status, when it answered. */
  status?: number;
  /** The body (at most 256 KiB), when it answered. */
  body?: string;
  /** Why it did not answer: `timeout`, or a system error code such as `ECONNREFUSED`. */
  error?: string;
}

const MAX_BODY = 256 * 1024;

/**
 * Sends one `GET` and reads the answer, with a hard deadline and no retries. It uses
 * `node:http` rather than `fetch`, which would load a whole HTTP client for a probe
 * that detection runs before any provider is chosen.
 *
 * @param url - The address.
 * @param options - The deadline and an abort signal.
 * @returns What came back; it never throws.
 */
export async function probe(
  url: string,
  options: { timeoutMs: number; signal?: AbortSignal; headers?: Record<string, string> },
): Promise<ProbeResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { reachable: false, error: "EINVAL" };
  }
  const http =
    target.protocol === "https:" ? await import("node:https") : await import("node:http");
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      request.destroy();
      resolve(result);
    };
    const request = http.get(
      target,
      { headers: { accept: "application/json", ...options.headers }, agent: false },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY) chunks.push(chunk);
        });
        response.on("end", () =>
          finish({
            reachable: true,
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", () =>
          finish({ reachable: true, status: response.statusCode ?? 0, body: "" }),
        );
      },
    );
    request.on("error", (error: NodeJS.ErrnoException) =>
      finish({ reachable: false, error: error.code ?? error.message }),
    );
    const timer = setTimeout(
      () => finish({ reachable: false, error: "timeout" }),
      options.timeoutMs,
    );
    const onAbort = () => finish({ reachable: false, error: "aborted" });
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Parses a probe's body as JSON.
 *
 * @param result - The probe.
 * @returns The value, or `undefined` when the body is missing or not JSON.
 */
export function probeJson(result: ProbeResult): unknown {
  if (result.body === undefined) return undefined;
  try {
    return JSON.parse(result.body);
  } catch {
    return undefined;
  }
}
