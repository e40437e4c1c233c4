import { setCommandKiller } from "./interrupts.js";

/** The modules a run loads, started early so they load while other work goes on. */
export interface RunModules {
  tools: Promise<typeof import("@gemma-coder/tools")>;
  /** Loads the sessions library (once); `undefined` with `--no-session`. */
  sessions: (() => Promise<typeof import("@gemma-coder/sessions")>) | undefined;
}

/** A loader that imports a module on its first call and returns the same promise after. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load();
    return loading;
  };
}

/**
 * Starts importing a provider's module so it is ready (or nearly) when it is needed.
 *
 * @param name - The provider's name, possibly unknown (then nothing is loaded).
 */
export function preloadProvider(name: string): void {
  const load =
    name === "ollama"
      ? import("@gemma-coder/providers/ollama")
      : name === "llama-cpp"
        ? import("@gemma-coder/providers/llama-cpp")
        : name === "openrouter"
          ? import("@gemma-coder/providers/openrouter")
          : undefined;
  load?.catch(() => undefined);
  if (load) import("../providers.js").catch(() => undefined);
}

/**
 * Starts loading what a run needs: the tools (and, once loaded, the way to kill the
 * commands they start) and, unless `--no-session`, a loader for the sessions library.
 *
 * @param withSessions - Whether sessions are recorded.
 * @returns The modules.
 */
export function loadRunModules(withSessions: boolean): RunModules {
  const modules: RunModules = {
    tools: import("@gemma-coder/tools"),
    sessions: withSessions ? once(() => import("@gemma-coder/sessions")) : undefined,
  };
  modules.tools.then(
    (tools) => setCommandKiller(() => void tools.killRunningCommands()),
    () => undefined,
  );
  return modules;
}
