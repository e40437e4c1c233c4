import type { Readable } from "node:stream";
import type { ModelProvider } from "@gemma-coder/core";
import type { Sessions } from "@gemma-coder/sessions";
import type { CliArgs } from "../args.js";
import type { Env } from "../config/resolve-settings.js";
import type { RunMcpTools } from "../mcp-tools.js";
import type { LiveView, OutStream } from "../render/live-view.js";
import { type Colors, colorsFor } from "../terminal/colors.js";
import { Interrupts } from "./interrupts.js";
import { Prompter } from "./prompter.js";
import { Reporter } from "./reporter.js";

/** Where one invocation reads and writes, and what it may touch. */
export interface InvocationIo {
  stdout: OutStream;
  stderr: OutStream;
  /** The answers to questions; only touched when a question is asked. */
  stdin: () => Readable;
  stdinIsTTY: boolean;
  env: Env;
  /** The folder the command was started in. */
  cwd: string;
  handleSignals: boolean;
  signal?: AbortSignal;
}

/**
 * The state one command run shares between its steps: the arguments, the workspace, the
 * streams, the interrupt handling, the prompter and the reporter, and what the steps open
 * (the live view, the provider, the sessions), which `close` lets go of.
 */
export class Invocation {
  /** Ctrl-C and stop signals; its signal aborts the run. */
  readonly interrupts: Interrupts;
  /** Questions to the user. */
  readonly prompter: Prompter;
  /** Warnings, notes, errors and the exit code of a run. */
  readonly report: Reporter;
  /** Colours for stderr. */
  readonly errColors: Colors;
  /** Colours for stdout. */
  readonly colors: Colors;
  /** The live view, once a run shows one. */
  view: LiveView | undefined;
  /** The model backend, once chosen (disposed on close). */
  provider: ModelProvider | undefined;
  /** The transcript store and checkpointer, unless `--no-session`. */
  sessions: Sessions | undefined;
  /** The tools of the configured MCP servers, once started (closed on close). */
  mcp: RunMcpTools | undefined;

  /**
   * @param args - The parsed command line.
   * @param workspace - The workspace folder (the demo moves it to its scratch copy).
   * @param io - Streams, environment and signals.
   */
  constructor(
    readonly args: CliArgs,
    public workspace: string,
    readonly io: InvocationIo,
  ) {
    this.errColors = colorsFor(io.stderr, io.env);
    this.colors = colorsFor(io.stdout, io.env);
    const view = () => this.view;
    this.interrupts = new Interrupts({
      stderr: io.stderr,
      handleSignals: io.handleSignals,
      signal: io.signal,
      view,
    });
    this.report = new Reporter(this);
    this.prompter = new Prompter({
      stderr: io.stderr,
      stdin: io.stdin,
      stdinIsTTY: io.stdinIsTTY,
      env: io.env,
      colors: this.errColors,
      signal: this.interrupts.signal,
      view,
      warn: (text) => this.report.warn(text),
    });
  }

  /** Fires on the first Ctrl-C or stop signal. */
  get signal(): AbortSignal {
    return this.interrupts.signal;
  }

  /** Stops listening to signals, lets go of stdin, stops the MCP servers and disposes of the provider. */
  async close(): Promise<void> {
    this.interrupts.close();
    this.prompter.close();
    await this.mcp?.close();
    await this.provider?.dispose?.();
  }
}
