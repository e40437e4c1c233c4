import path from "node:path";
import { type HttpFixture, loadHttpFixture, replayFixture } from "./http-fixture.js";
import type { Handler, LoopbackServer } from "./loopback-server.js";

/**
 * A handler that replays one recorded llama-server response verbatim.
 *
 * @param dir - The fixtures folder.
 * @param name - The fixture name (without `.response.http`).
 * @returns The handler.
 */
export function replay(dir: string, name: string): Handler {
  const fixture: HttpFixture = loadHttpFixture(path.join(dir, `${name}.response.http`));
  return (_req, res) => replayFixture(res, fixture);
}

/**
 * Routes the recorded read-only endpoints of llama-server (`/props`, `/health`,
 * `/v1/models`, `/tokenize`) on a loopback server; generation routes are the test's.
 *
 * @param server - The loopback server.
 * @param dir - The fixtures folder.
 */
export function routeLlamaServer(server: LoopbackServer, dir: string): void {
  server.route("GET /props", replay(dir, "props"));
  server.route("GET /health", replay(dir, "health"));
  server.route("GET /v1/models", replay(dir, "models"));
  server.route("POST /tokenize", replay(dir, "tokenize"));
}
