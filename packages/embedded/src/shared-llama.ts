import type { Llama, LlamaLogLevel } from "node-llama-cpp";

/** The engine's log levels, most severe first (node-llama-cpp's order). */
const LEVELS = ["fatal", "error", "warn", "info", "log", "debug"] as const;

/** A log level of the engine, as the embedded provider names them. */
export type SharedLogLevel = (typeof LEVELS)[number];

/** Someone who wants the engine's log lines up to a level. */
interface LogListener {
  level: SharedLogLevel;
  onLog: (level: SharedLogLevel, message: string) => void;
}

/** What {@link sharedLlama} needs from node-llama-cpp (passed in: it is loaded lazily). */
export type LlamaModule = Pick<typeof import("node-llama-cpp"), "getLlama">;

const engines = new Map<string, Promise<Llama>>();
const listeners = new Set<LogListener>();

const rank = (level: string): number => {
  const index = LEVELS.indexOf(level as SharedLogLevel);
  return index === -1 ? LEVELS.length : index;
};

/** The most detailed level anyone listens to; `error` when nobody does (it costs nothing). */
function wantedLevel(): SharedLogLevel {
  let most = rank("error");
  for (const listener of listeners) most = Math.max(most, rank(listener.level));
  return LEVELS[most] ?? "error";
}

/** Hands one engine log line to every listener that asked for its level. */
function dispatch(level: LlamaLogLevel, message: string): void {
  for (const listener of listeners) {
    if (rank(level) <= rank(listener.level)) listener.onLog(level as SharedLogLevel, message);
  }
}

/**
 * The llama.cpp engine of this process for a GPU choice, created once and kept. Disposing
 * an engine and creating another leaves the new one without its log callback (the native
 * side keeps the first registration), so llama.cpp then prints its errors straight to the
 * process's output: an SDK must not print, so the engine is shared and never disposed here
 * (node-llama-cpp disposes it when the process exits). Models and contexts are still
 * freed per provider.
 *
 * @param module - node-llama-cpp.
 * @param gpu - The GPU choice.
 * @returns The engine.
 */
export function sharedLlama(
  module: LlamaModule,
  gpu: "auto" | "cuda" | "vulkan" | "metal" | false,
): Promise<Llama> {
  const key = String(gpu);
  let engine = engines.get(key);
  if (engine === undefined) {
    engine = module.getLlama({
      gpu,
      build: "never",
      progressLogs: false,
      logLevel: wantedLevel() as LlamaLogLevel,
      logger: dispatch,
    });
    // A failed start may succeed later (a GPU driver installed): do not cache the failure.
    engine.catch(() => engines.delete(key));
    engines.set(key, engine);
  }
  return engine.then((llama) => {
    llama.logLevel = wantedLevel() as LlamaLogLevel;
    return llama;
  });
}

/**
 * Routes the engine's log lines up to `level` to `onLog` until the returned function is
 * called. Without any listener the lines are dropped.
 *
 * @param onLog - Receives each line.
 * @param level - The most detailed level wanted.
 * @returns Stops the routing.
 */
export function listenToEngineLog(
  onLog: (level: SharedLogLevel, message: string) => void,
  level: SharedLogLevel,
): () => void {
  const listener: LogListener = { level, onLog };
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
