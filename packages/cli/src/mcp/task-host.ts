import type { ModelProvider } from "@gemma-coder/core";
import type { Sessions } from "@gemma-coder/sessions";
import type { CliArgs } from "../args.js";
import { resolveHeadlessSettings } from "../config/headless-settings.js";
import type { Env, Settings } from "../config/resolve-settings.js";
import type { OutStream } from "../render/live-view.js";
import { runTask, type TaskProgress } from "./run-task.js";
import type { TaskOutcome } from "./task-result.js";

/** Chooses the model backend as the CLI does (the same flags, config and detection). */
export type ChooseProvider = (
  settings: Settings,
  signal: AbortSignal,
) => Promise<{ provider: ModelProvider; notes: string[] }>;

/** What the host of `run_task` needs from the command line and the process. */
export interface TaskHostOptions {
  args: CliArgs;
  workspace: string;
  env: Env;
  stderr: OutStream;
  chooseProvider: ChooseProvider;
  /** Fires when the server shuts down: running tasks are aborted. */
  signal: AbortSignal;
}

/** The reply to one `run_task` call, in the MCP result shape. */
export interface TaskReply {
  [key: string]: unknown;
  content: Array<{ type: "text"; text: string }>;
  structuredContent?: TaskOutcome & Record<string, unknown>;
  isError?: boolean;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs the tasks an MCP host sends, one at a time (they share the workspace): settings,
 * backend and session store are set up at the first call and kept; a failed setup (the
 * backend was down) is tried again at the next call.
 */
export class TaskHost {
  private settings: Promise<Settings> | undefined;
  private provider: Promise<ModelProvider> | undefined;
  private sessions: Promise<Sessions | undefined> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TaskHostOptions) {}

  private log(text: string): void {
    this.options.stderr.write(`gemma-coder mcp: ${text}\n`);
  }

  private getSettings(): Promise<Settings> {
    const { args, env, workspace } = this.options;
    // Nobody can be asked (stdin carries the protocol): an untrusted project config counts
    // only with --trust-project or a remembered yes.
    this.settings ??= resolveHeadlessSettings(args, env, workspace, (text) => this.log(text));
    this.settings.catch(() => {
      this.settings = undefined;
    });
    return this.settings;
  }

  private getProvider(settings: Settings): Promise<ModelProvider> {
    this.provider ??= this.options.chooseProvider(settings, this.options.signal).then((ready) => {
      for (const note of ready.notes) this.log(note);
      return ready.provider;
    });
    this.provider.catch(() => {
      this.provider = undefined;
    });
    return this.provider;
  }

  private getSessions(settings: Settings): Promise<Sessions | undefined> {
    if (!this.options.args.session) return Promise.resolve(undefined);
    this.sessions ??= import("@gemma-coder/sessions").then(({ openSessions }) =>
      openSessions({
        workspace: this.options.workspace,
        dir: settings.sessionsDir,
        env: this.options.env,
      }),
    );
    this.sessions.catch(() => {
      this.sessions = undefined;
    });
    return this.sessions;
  }

  /**
   * Runs one task after the ones before it; the host's signal (a cancellation or its
   * timeout) and the server's shutdown abort it.
   *
   * @param input - The task and an optional step cap.
   * @param signal - The host's cancellation.
   * @param progress - Sends a progress notification.
   * @returns The MCP result.
   */
  run(
    input: { task: string; maxSteps?: number | undefined },
    signal: AbortSignal,
    progress: (update: TaskProgress) => void,
  ): Promise<TaskReply> {
    const next = this.queue.then(() => this.runNow(input, signal, progress));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(
    input: { task: string; maxSteps?: number | undefined },
    hostSignal: AbortSignal,
    progress: (update: TaskProgress) => void,
  ): Promise<TaskReply> {
    const signal = AbortSignal.any([hostSignal, this.options.signal]);
    try {
      const settings = await this.getSettings();
      const [provider, sessions] = await Promise.all([
        this.getProvider(settings),
        this.getSessions(settings),
      ]);
      const { args, workspace, env } = this.options;
      const { text, outcome } = await runTask(input.task, input.maxSteps, {
        ...{ args, workspace, env, settings, provider, sessions, progress, signal },
        log: (text) => this.log(text),
      });
      return {
        content: [{ type: "text", text }],
        structuredContent: outcome as TaskOutcome & Record<string, unknown>,
        ...(outcome.status === "done" ? {} : { isError: true }),
      };
    } catch (error) {
      return {
        content: [{ type: "text", text: `gemma-coder: ${errorText(error)}` }],
        isError: true,
      };
    }
  }

  /** Waits for the running task (aborted by the shutdown signal) and lets go of the model. */
  async close(): Promise<void> {
    await this.queue;
    const provider = await this.provider?.catch(() => undefined);
    await provider?.dispose?.();
  }
}
