import type { RunState } from "./protocol.js";
import type { RunOutcome } from "./run-controller.js";

/**
 * What `activate()` returns (`vscode.extensions.getExtension("gemma-coder.gemma-coder-vscode").exports`):
 * a small API for tests and for other extensions.
 */
export interface GemmaCoderApi {
  /** The current state, as in the status item. */
  readonly state: RunState;
  /** Fires on every agent event (the core AgentEvent objects) and state change, with the state. */
  onDidChangeState(listener: (state: string) => void): { dispose(): void };
  /** Runs a task as if typed in the chat view; resolves when the run ends. */
  runTask(task: string): Promise<RunOutcome>;
  /** The id of the workspace's latest session, if any. */
  lastSessionId(): string | undefined;
}

/** What the API is built from. */
export interface ApiSource {
  state(): RunState;
  onDidChange(listener: (state: RunState) => void): () => void;
  runTask(task: string): Promise<RunOutcome>;
  lastSessionId(): string | undefined;
}

/**
 * Builds the API object.
 *
 * @param source - The run controller and the session cache behind it.
 * @returns The API.
 */
export function createApi(source: ApiSource): GemmaCoderApi {
  return {
    get state() {
      return source.state();
    },
    onDidChangeState(listener) {
      return { dispose: source.onDidChange(listener) };
    },
    runTask: (task) => source.runTask(task),
    lastSessionId: () => source.lastSessionId(),
  };
}
