/** What the agent asks a repository map for at the start of a run. */
export interface RepoMapRequest {
  /** The task text: what it names should rank first. */
  task: string;
  /** The budget in tokens. */
  maxTokens: number;
  /** Fires when the run is aborted. */
  signal: AbortSignal;
}

/**
 * A source of repository maps, such as `RepoMap` from `@gemma-coder/repomap`: given the
 * task and a token budget, it returns a short outline of the code most relevant to it.
 */
export interface RepoMapSource {
  /**
   * Renders the map for a task within the budget.
   *
   * @param request - The task, the budget and the run's abort signal.
   * @returns The map text (empty for none).
   */
  render(request: RepoMapRequest): Promise<{ text: string }>;
}

/**
 * The default map budget for a context window: an eighth of it, between 256 and 4,096
 * tokens (1,024 at 8k).
 *
 * @param contextWindow - The model's window in tokens.
 * @returns The budget in tokens.
 */
export function repoMapBudget(contextWindow: number): number {
  return Math.max(256, Math.min(4096, Math.round(contextWindow / 8)));
}

/**
 * The first user message of a run with a repository map: the map, then the task. The map
 * goes here, not into the system prompt, so the system prompt stays byte-identical from
 * run to run and task to task (the backend keeps its cache of it), and the message, once
 * sent, never changes during the run, so every later turn reuses the cached prefix too.
 * A map that fails is reported through `warn` and the run goes on with the bare task.
 *
 * @param task - The task text.
 * @param source - The map source.
 * @param maxTokens - The budget.
 * @param signal - The run's abort signal.
 * @param warn - Reports a failed map.
 * @returns The message content.
 */
export async function taskWithRepoMap(
  task: string,
  source: RepoMapSource | undefined,
  maxTokens: number,
  signal: AbortSignal,
  warn: (kind: string, message: string) => Promise<void>,
): Promise<string> {
  if (!source || maxTokens <= 0) return task;
  let text: string;
  try {
    text = (await source.render({ task, maxTokens, signal })).text.trim();
  } catch (error) {
    if (signal.aborted) throw error;
    await warn(
      "repo-map",
      `The repository map could not be built: ${error instanceof Error ? error.message : String(error)}`,
    );
    return task;
  }
  if (text === "") return task;
  return `<repo_map>\nThe files and definitions most relevant to the task (line: signature):\n${text}\n</repo_map>\n\n${task}`;
}
