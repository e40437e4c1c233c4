import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DownloadProgressEvent, downloadModel } from "./download-model.js";
import { resolveModelRef } from "./model-ref.js";

const FILE = Buffer.alloc(256 * 1024);
for (let i = 0; i < FILE.length; i++) FILE[i] = (i * 31 + (i >> 8)) & 0xff;

type Mode = "ok" | "drop-half" | "no-range" | "404" | "403" | "500";
let mode: Mode = "ok";
const requests: { range: string | undefined; authorization: string | undefined; url: string }[] =
  [];
let server: Server;
let base: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  requests.push({
    range: req.headers.range,
    authorization: req.headers.authorization,
    url: req.url ?? "",
  });
  if (mode === "404" || mode === "403" || mode === "500") {
    res.writeHead(Number(mode)).end("no");
    return;
  }
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  const start = range && mode !== "no-range" ? Number(range[1]) : 0;
  if (start >= FILE.length && range) {
    res.writeHead(416, { "content-range": `bytes */${FILE.length}` }).end();
    return;
  }
  const body = FILE.subarray(start);
  res.writeHead(start > 0 ? 206 : 200, {
    "content-length": String(body.length),
    "content-type": "application/octet-stream",
    ...(start > 0 ? { "content-range": `bytes ${start}-${FILE.length - 1}/${FILE.length}` } : {}),
  });
  if (mode === "drop-half") {
    // Send part of the body, then cut the connection as a flaky network would.
    res.write(body.subarray(0, Math.floor(FILE.length / 2) - start), () => {
      setTimeout(() => res.socket?.destroy(), 20);
    });
    return;
  }
  res.end(body);
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), "gemma-coder-dl-"));
  mode = "ok";
  requests.length = 0;
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<GemmaCoderError> {
  try {
    await promise;
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("downloadModel", () => {
  it("downloads into the cache with progress, then serves it without the network", async () => {
    const events: DownloadProgressEvent[] = [];
    const url = `${base}/models/tiny.gguf`;
    const file = await downloadModel(url, { cacheDir, onProgress: (e) => events.push(e) });
    expect(path.dirname(file)).toBe(cacheDir);
    expect(file).toBe(path.join(cacheDir, (resolveModelRef(url) as { fileName: string }).fileName));
    expect(Buffer.compare(await readFile(file), FILE)).toBe(0);
    expect(await readdir(cacheDir)).toEqual([path.basename(file)]);
    expect(events[0]).toMatchObject({
      type: "download-start",
      totalBytes: FILE.length,
      resumedFromBytes: 0,
    });
    const progress = events.filter((e) => e.type === "download-progress");
    expect(progress.length).toBeGreaterThan(1);
    const received = progress.map((e) => (e.type === "download-progress" ? e.receivedBytes : 0));
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(received.at(-1)).toBe(FILE.length);
    expect(events.at(-1)).toMatchObject({
      type: "download-complete",
      path: file,
      bytes: FILE.length,
    });

    const count = requests.length;
    expect(await downloadModel(url, { cacheDir })).toBe(file);
    expect(requests.length).toBe(count);
  });

  it("keeps the partial file when the connection drops half way, and resumes with a Range request", async () => {
    mode = "drop-half";
    const url = `${base}/tiny.gguf`;
    const error = await failure(downloadModel(url, { cacheDir }));
    expect(error.code).toBe("provider-connection");
    expect(error.isRetryable).toBe(true);
    expect(error.message).toMatch(/kept and the next attempt resumes/);
    const [partial] = await readdir(cacheDir);
    expect(partial).toMatch(/\.partial$/);
    const kept = (await stat(path.join(cacheDir, partial as string))).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(FILE.length);

    mode = "ok";
    const events: DownloadProgressEvent[] = [];
    const file = await downloadModel(url, { cacheDir, onProgress: (e) => events.push(e) });
    expect(requests.at(-1)?.range).toBe(`bytes=${kept}-`);
    expect(events[0]).toMatchObject({ type: "download-start", resumedFromBytes: kept });
    expect(Buffer.compare(await readFile(file), FILE)).toBe(0);
    expect(await readdir(cacheDir)).toEqual([path.basename(file)]);
  });

  it("starts over when the server ignores the range", async () => {
    const url = `${base}/tiny.gguf`;
    const source = resolveModelRef(url) as { fileName: string };
    await writeFile(path.join(cacheDir, `${source.fileName}.partial`), Buffer.from("garbage"));
    mode = "no-range";
    const file = await downloadModel(url, { cacheDir });
    expect(requests[0]?.range).toBe("bytes=7-");
    expect(Buffer.compare(await readFile(file), FILE)).toBe(0);
  });

  it("completes a partial file that already holds every byte (416)", async () => {
    const url = `${base}/tiny.gguf`;
    const source = resolveModelRef(url) as { fileName: string };
    await writeFile(path.join(cacheDir, `${source.fileName}.partial`), FILE);
    const file = await downloadModel(url, { cacheDir });
    expect(Buffer.compare(await readFile(file), FILE)).toBe(0);
  });

  it("says clearly when the machine is offline", async () => {
    // A port nothing listens on: the same failure as no network at all.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await failure(downloadModel(`http://127.0.0.1:${port}/m.gguf`, { cacheDir }));
    expect(error.code).toBe("provider-connection");
    expect(error.message).toMatch(/looks offline/);
    expect(error.message).toMatch(/pass its path/);
  });

  it.each([
    ["404", "model-not-found", false],
    ["403", "provider-auth", false],
    ["500", "provider-http", true],
  ] as const)("maps HTTP %s to %s", async (status, code, retryable) => {
    mode = status;
    const error = await failure(downloadModel(`${base}/x.gguf`, { cacheDir }));
    expect(error.code).toBe(code);
    expect(error.status).toBe(Number(status));
    expect(error.isRetryable).toBe(retryable);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it("stops on abort and keeps what it has", async () => {
    const controller = new AbortController();
    const error = await failure(
      downloadModel(`${base}/tiny.gguf`, {
        cacheDir,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === "download-progress") controller.abort();
        },
      }),
    );
    expect(error.code).toBe("aborted");
    const [partial] = await readdir(cacheDir);
    expect(partial).toMatch(/\.partial$/);
  });

  it("returns an existing local path as is and refuses a missing one", async () => {
    const local = path.join(cacheDir, "mine.gguf");
    await writeFile(local, "x");
    expect(await downloadModel(local)).toBe(local);
    expect((await failure(downloadModel(path.join(cacheDir, "nope.gguf")))).code).toBe(
      "model-not-found",
    );
    expect(requests).toEqual([]);
  });

  it("sends a token to huggingface.co only", async () => {
    await downloadModel(`${base}/tiny.gguf`, { cacheDir, token: "secret" });
    expect(requests[0]?.authorization).toBeUndefined();
    const seen: Headers[] = [];
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      seen.push(new Headers(init.headers));
      return new Response(FILE, {
        status: 200,
        headers: { "content-length": String(FILE.length) },
      });
    }) as unknown as typeof fetch;
    await downloadModel("hf:org/repo/model-Q4.gguf", {
      cacheDir,
      token: "secret",
      fetch: fakeFetch,
    });
    expect(seen[0]?.get("authorization")).toBe("Bearer secret");
  });
});

describe("resolveModelRef", () => {
  it("maps hf: references to resolve URLs and distinct cache names", () => {
    expect(resolveModelRef("hf:ggml-org/gemma-4-E2B-it-GGUF/gemma-4-E2B-it-Q4_K_M.gguf")).toEqual({
      kind: "url",
      url: "https://huggingface.co/ggml-org/gemma-4-E2B-it-GGUF/resolve/main/gemma-4-E2B-it-Q4_K_M.gguf",
      fileName: "ggml-org--gemma-4-E2B-it-GGUF--gemma-4-E2B-it-Q4_K_M.gguf",
    });
    expect(resolveModelRef("hf:o/r@v1/sub/m.gguf")).toMatchObject({
      url: "https://huggingface.co/o/r/resolve/v1/sub/m.gguf",
      fileName: "o--r--v1--sub--m.gguf",
    });
    const a = resolveModelRef("https://a.example/m.gguf") as { fileName: string };
    const b = resolveModelRef("https://b.example/m.gguf") as { fileName: string };
    expect(a.fileName).toMatch(/-m\.gguf$/);
    expect(a.fileName).not.toBe(b.fileName);
    expect(resolveModelRef("./models/m.gguf")).toEqual({
      kind: "path",
      path: path.resolve("models/m.gguf"),
    });
  });

  it("refuses malformed references", () => {
    for (const ref of ["", "hf:just-a-name", "hf:o/r/model.bin"]) {
      expect(() => resolveModelRef(ref)).toThrow(/model/i);
    }
  });

  // Only a file that says it is a GGUF is handed to the native parser: a model *name*
  // (meant for another backend) or a stray file is refused before anything is opened.
  it("refuses a local path that is not a .gguf file, saying what it takes", () => {
    for (const ref of ["gemma4:e2b", "models/m", "./planted.bin"]) {
      expect(() => resolveModelRef(ref)).toThrow(/\.gguf file/);
    }
    expect(resolveModelRef("file:///m/x.GGUF")).toMatchObject({ kind: "path" });
  });
});
