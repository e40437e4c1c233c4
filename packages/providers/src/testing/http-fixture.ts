import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** A raw HTTP response recorded from a real server. */
export interface HttpFixture {
  /** The file name without `.response.http`. */
  name: string;
  /** Status code. */
  status: number;
  /** Reason phrase. */
  statusText: string;
  /** Header name/value pairs, as recorded. */
  headers: [string, string][];
  /** The body bytes, as recorded (de-chunked). */
  body: Buffer;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The repository root (`/work/main` in the workspace). */
export const repoRoot = path.resolve(here, "../../../..");

/** The project's own copies of recorded llama-server exchanges. */
export const localLlamaFixtures = path.resolve(here, "../__fixtures__/llama-server");

/**
 * The shared recorded llama-server exchanges: `$GEMMA_CODER_SHARED/fixtures/llama-server`
 * or `../shared/fixtures/llama-server` next to the repository.
 *
 * @returns The folder, or `undefined` when absent (tests then skip with a reason).
 */
export function sharedLlamaFixtures(): string | undefined {
  const shared = process.env.GEMMA_CODER_SHARED ?? path.resolve(repoRoot, "../shared");
  const dir = path.join(shared, "fixtures", "llama-server");
  return existsSync(dir) ? dir : undefined;
}

/**
 * Parses a `NAME.response.http` file: status line, headers, blank line, body.
 *
 * @param file - The file path.
 * @returns The fixture.
 */
export function loadHttpFixture(file: string): HttpFixture {
  const raw = readFileSync(file);
  const split = raw.indexOf("\r\n\r\n");
  if (split === -1) throw new Error(`${file}: no blank line after the headers`);
  const head = raw.subarray(0, split).toString("latin1").split("\r\n");
  const statusLine = head.shift() ?? "";
  const match = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  if (!match) throw new Error(`${file}: bad status line ${statusLine}`);
  const headers = head.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return {
    name: path.basename(file).replace(/\.response\.http$/, ""),
    status: Number(match[1]),
    statusText: match[2] ?? "",
    headers,
    body: raw.subarray(split + 4),
  };
}

/**
 * Lists the `*.response.http` fixtures of a folder.
 *
 * @param dir - The folder.
 * @returns Their names, sorted.
 */
export function listHttpFixtures(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".response.http"))
    .map((file) => file.replace(/\.response\.http$/, ""))
    .sort();
}

/**
 * Writes a recorded response back verbatim: the recorded status, headers and body bytes.
 * A chunked body is sent one SSE event per chunk, as the server sent it.
 *
 * @param res - The response to write.
 * @param fixture - The recording.
 */
export function replayFixture(res: ServerResponse, fixture: HttpFixture): void {
  res.sendDate = false;
  const flat: string[] = [];
  for (const [name, value] of fixture.headers) flat.push(name, value);
  res.writeHead(fixture.status, fixture.statusText, flat);
  const chunked = fixture.headers.some(
    ([name, value]) => name.toLowerCase() === "transfer-encoding" && /chunked/i.test(value),
  );
  if (!chunked) {
    res.end(fixture.body);
    return;
  }
  let start = 0;
  for (;;) {
    const end = fixture.body.indexOf("\n\n", start);
    if (end === -1) break;
    res.write(fixture.body.subarray(start, end + 2));
    start = end + 2;
  }
  if (start < fixture.body.length) res.write(fixture.body.subarray(start));
  res.end();
}
