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

/** Options of {@link createCompletionEmulator}. */
export interface CompletionEmulatorOptions {
  /**
   * The replies to generate, one per request, each as the pieces (tokens) the model
   * samples, e.g. `["<", "tool", ">"]`: a multi-character piece is a token that
   * re-tokenizing its text never gives back. The last reply repeats.
   */
  replies: readonly (readonly string[])[];
  /** End each reply with an end-of-generation token, as a grammar that completed does. */
  endWithEos?: boolean;
}

/** A `/completion` emulator with a prompt cache, and what it saw. */
export interface CompletionEmulator {
  /** Routes `POST /completion`. */
  handler: Handler;
  /** The token ids the slot's cache holds after the last request. */
  cache(): readonly number[];
  /** The prompts received, as token ids. */
  prompts: number[][];
}

const EMULATOR_BOS = 1;
const EMULATOR_EOS = 2;
const CHAR_BASE = 1000;
const PIECE_BASE = 500_000;

// long-function: test helper: a scripted llama-server endpoint whose handlers share the script
/**
 * Emulates llama-server's `/completion` (2025 build, see the recorded exchanges) closely
 * enough to measure prompt caching: the prompt may be a string or an array mixing
 * strings and token ids; text tokenizes one token per character (the first piece with a
 * beginning-of-sequence token), while replies are generated as multi-character pieces, so
 * a reply only matches the cache when its ids come back as they were. The slot keeps the
 * longest common prefix (all but the last prompt token at most), streams every token's id
 * (a stop sequence's too, with its text held back), and ends with `stop_type`,
 * `stopping_word`, `tokens_evaluated`, `tokens_cached` and `timings.prompt_n`.
 *
 * @param options - The scripted replies.
 * @returns The handler and the slot's state.
 */
export function createCompletionEmulator(options: CompletionEmulatorOptions): CompletionEmulator {
  const pieceIds = new Map<string, number>();
  const idOf = (piece: string) => {
    if ([...piece].length === 1) return CHAR_BASE + (piece.codePointAt(0) as number);
    let id = pieceIds.get(piece);
    if (id === undefined) {
      id = PIECE_BASE + pieceIds.size;
      pieceIds.set(piece, id);
    }
    return id;
  };
  const tokenize = (prompt: unknown): number[] => {
    const parts = Array.isArray(prompt) ? prompt : [prompt];
    const ids: number[] = [];
    parts.forEach((part, i) => {
      if (typeof part === "number") ids.push(part);
      else if (typeof part === "string") {
        if (i === 0) ids.push(EMULATOR_BOS);
        for (const ch of part) ids.push(idOf(ch));
      }
    });
    return ids;
  };
  let cache: number[] = [];
  let turn = 0;
  const prompts: number[][] = [];
  const handler: Handler = (_req, res, request) => {
    const body = (request.json ?? {}) as Record<string, unknown>;
    const prompt = tokenize(body.prompt);
    prompts.push(prompt);
    let common = 0;
    while (common < Math.min(cache.length, prompt.length - 1) && cache[common] === prompt[common]) {
      common++;
    }
    const stops = Array.isArray(body.stop) ? body.stop.filter((s) => typeof s === "string") : [];
    const limit = typeof body.n_predict === "number" ? body.n_predict : Number.POSITIVE_INFINITY;
    const reply = options.replies[Math.min(turn++, options.replies.length - 1)] ?? [];
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = (chunk: Record<string, unknown>) =>
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    const generated: number[] = [];
    let text = "";
    let sent = 0;
    let stopType = "eos";
    let word = "";
    for (const piece of reply) {
      if (generated.length >= limit) {
        stopType = "limit";
        break;
      }
      const id = idOf(piece);
      generated.push(id);
      text += piece;
      const pending = text.slice(sent);
      const hit = stops.map((s) => ({ s, at: pending.indexOf(s) })).find((h) => h.at !== -1);
      if (hit) {
        send({ content: pending.slice(0, hit.at), tokens: [id], stop: false });
        stopType = "word";
        word = hit.s;
        break;
      }
      const partial = stops.some((s) => {
        for (let n = Math.min(s.length - 1, pending.length); n > 0; n--) {
          if (pending.endsWith(s.slice(0, n))) return true;
        }
        return false;
      });
      const content = partial ? "" : pending;
      sent += content.length;
      send({ content, tokens: [id], stop: false });
    }
    if (stopType === "eos" && generated.length < limit && options.endWithEos !== false) {
      send({ content: "", tokens: [EMULATOR_EOS], stop: false });
      generated.push(EMULATOR_EOS);
    }
    // The last sampled token is never decoded: the slot holds everything before it.
    cache = [...prompt, ...generated.slice(0, -1)];
    send({
      content: "",
      tokens: [],
      stop: true,
      stop_type: stopType,
      stopping_word: word,
      tokens_predicted: generated.length,
      tokens_evaluated: prompt.length,
      tokens_cached: cache.length,
      truncated: false,
      timings: { prompt_n: prompt.length - common, predicted_n: generated.length },
    });
    res.end();
  };
  return { handler, cache: () => cache, prompts };
}
