import { promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { isatty } from "node:tty";
import {
  Agent,
  type AgentEvent,
  type AgentEventName,
  GemmaCoderError,
  type ModelProvider,
  type RunResult,
} from "@gemma-coder/core";
import { type ApprovalMode, createApprover } from "./approval.js";
import { type CliArgs, parseCliArgs } from "./args.js";
import { modelsDir } from "./cache-dir.js";
import type { Env, Settings } from "./config/resolve-settings.js";
import { resolveSettings } from "./config/resolve-settings.js";
import { EXIT_CODES, type ExitCode } from "./exit-codes.js";
import { stripControls } from "./render/describe-call.js";
import { toJsonLine } from "./render/json-lines.js";
import { LiveView, type OutStream } from "./render/live-view.js";
import { colorsFor } from "./terminal/colors.js";
import { LineReader } from "./terminal/line-reader.js";

/** Where the CLI reads and writes, and what it may touch: the process by default. */
export interface MainOptions {
  /** Model prose, tool lines, the summary, or JSON events. */
  stdout?: OutStream;
  /** Status, questions, warnings and errors. */
  stderr?: OutStream;
  /** Answers to approval questions; asked only when it is a terminal (its `isTTY`). */
  stdin?: Readable & {
    /** `true` for a terminal: only then are approval questions asked. */
    isTTY?: boolean | undefined;
  };
  /** The environment. */
  env?: Env;
  /** The folder the command runs in. */
  cwd?: string;
  /**
   * Handle SIGINT: the first aborts the run cleanly, the second exits at once with 130.
   * The `gemma-coder` launcher sets it; embedders calling `main` usually do not.
   */
  handleSignals?: boolean;
  /** Aborts the run as a first Ctrl-C would (for embedders and tests). */
  signal?: AbortSignal;
}

/** Every event the live view may show. */
const EVENT_NAMES: readonly AgentEventName[] = [
  "run-start",
  "state-change",
  "turn-start",
  "text-delta",
  "turn-end",
  "tool-call",
  "tool-result",
  "invalid-reply",
  "usage",
  "notice",
  "context-elided",
  "context-compacted",
  "warning",
  "done",
  "error",
];

/**
 * Starts importing a provider's module so it is ready (or nearly) when it is needed.
 *
 * @param name - The provider's name, possibly unknown (then nothing is loaded).
 */
function preloadProvider(name: string): void {
  const load =
    name === "ollama"
      ? import("@gemma-coder/providers/ollama")
      : name === "llama-cpp"
        ? import("@gemma-coder/providers/llama-cpp")
        : name === "openrouter"
          ? import("@gemma-coder/providers/openrouter")
          : undefined;
  load?.catch(() => undefined);
  if (load) import("./providers.js").catch(() => undefined);
}

/** Codes of provider errors that mean the setup is wrong rather than the run. */
const SETUP_ERRORS = new Set(["config", "provider-connection", "provider-auth", "model-not-found"]);

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs the `gemma-coder` command: parses the arguments, resolves the configuration and
 * the model backend, runs the agent with a live view (or JSON lines) and resolves with
 * the exit code. It never calls `process.exit` itself unless `handleSignals` is set and
 * a second Ctrl-C arrives.
 *
 * @param argv - The arguments after the program name.
 * @param options - Streams, environment and folder; the process's by default.
 * @returns The exit code: 0 done, 1 failed or stopped by a limit, 2 usage or configuration error, 130 interrupted.
 *
 * @example
 * ```ts
 * import { main } from "@gemma-coder/cli";
 * process.exitCode = await main(["--provider", "ollama", "fix the failing test"]);
 * ```
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<ExitCode> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const errColors = colorsFor(stderr, env);
  const fail = (message: string, hint?: string): ExitCode => {
    stderr.write(`${errColors.red("gemma-coder:")} ${message}\n${hint ? `${hint}\n` : ""}`);
    return EXIT_CODES.usage;
  };

  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    return fail(errorText(error), "Run `gemma-coder --help` for usage and examples.");
  }
  if (args.help) {
    const { HELP_TEXT } = await import("./help.js");
    stdout.write(HELP_TEXT);
    return EXIT_CODES.done;
  }
  if (args.version) {
    stdout.write(`${readVersion()}\n`);
    return EXIT_CODES.done;
  }
  if (args.task === undefined) {
    return fail(
      "no task given. Say what to do in quotes, for example:",
      '  gemma-coder "fix the failing test in tests/test_api.py"\nRun `gemma-coder --help` for every option.',
    );
  }
  const workspace = path.resolve(options.cwd ?? process.cwd(), args.cwd ?? ".");
  const isFolder = await fs.stat(workspace).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (!isFolder) return fail(`the workspace folder ${workspace} does not exist (from --cwd).`);
  // Start loading what the run needs while the configuration is read: the tools, and the
  // provider named on the command line or in the environment (Ollama's module when none
  // is named, since detection looks for Ollama first).
  const toolsModule = import("@gemma-coder/tools");
  toolsModule.catch(() => undefined);
  preloadProvider(args.provider ?? env.GEMMA_CODER_PROVIDER ?? "ollama");

  const session = new Session(args, workspace, {
    stdout,
    stderr,
    // process.stdin is only touched when a question is actually asked.
    stdin: () => options.stdin ?? process.stdin,
    stdinIsTTY: options.stdin ? options.stdin.isTTY === true : isatty(0),
    env,
    handleSignals: options.handleSignals === true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    return await session.run(args.task, toolsModule);
  } finally {
    await session.close();
  }
}

interface SessionIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: () => Readable;
  stdinIsTTY: boolean;
  env: Env;
  handleSignals: boolean;
  signal?: AbortSignal;
}

/** One invocation: owns the abort controller, the prompt reader and the provider. */
class Session {
  private readonly controller = new AbortController();
  private readonly errColors;
  private readonly colors;
  private interrupts = 0;
  private view: LiveView | undefined;
  private reader: LineReader | undefined;
  private provider: ModelProvider | undefined;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly args: CliArgs,
    private readonly workspace: string,
    private readonly io: SessionIo,
  ) {
    this.errColors = colorsFor(io.stderr, io.env);
    this.colors = colorsFor(io.stdout, io.env);
    const onInterrupt = () => this.interrupt();
    if (io.handleSignals) {
      process.on("SIGINT", onInterrupt);
      this.cleanups.push(() => process.off("SIGINT", onInterrupt));
    }
    if (io.signal) {
      if (io.signal.aborted) onInterrupt();
      else io.signal.addEventListener("abort", onInterrupt, { once: true });
      this.cleanups.push(() => io.signal?.removeEventListener("abort", onInterrupt));
    }
  }

  /** Whether someone can answer a question. */
  private get interactive(): boolean {
    return this.io.stdinIsTTY || this.io.env.GEMMA_CODER_FORCE_PROMPT === "1";
  }

  private interrupt(): void {
    this.interrupts++;
    if (this.interrupts === 1) {
      this.view?.interrupting();
      if (!this.view) this.io.stderr.write("\nStopping… (press Ctrl-C again to quit at once)\n");
      this.controller.abort(new GemmaCoderError("Interrupted with Ctrl-C.", { code: "aborted" }));
      return;
    }
    if (this.io.handleSignals) {
      this.io.stderr.write("\nQuit.\n");
      process.exit(EXIT_CODES.interrupted);
    }
  }

  private ask = async (question: string): Promise<string | undefined> => {
    this.view?.pause();
    this.reader ??= new LineReader(this.io.stdin());
    this.io.stderr.write(this.errColors.bold(question));
    // Ctrl-C while a question waits counts as no answer, so the first one stops cleanly.
    const signal = this.controller.signal;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    const answer = await Promise.race([this.reader.next(), aborted]);
    if (onAbort) signal.removeEventListener("abort", onAbort);
    // A terminal echoes the answer; from a pipe, show it so the log reads naturally.
    if (answer === undefined || !this.io.stdinIsTTY) this.io.stderr.write(`${answer ?? ""}\n`);
    this.view?.resume();
    return answer;
  };

  private fail(message: string, code = "config"): ExitCode {
    this.view?.pause();
    this.io.stderr.write(`${this.errColors.red("gemma-coder:")} ${stripControls(message)}\n`);
    if (this.args.json) {
      this.io.stdout.write(`${toJsonLine({ type: "error", error: { code, message } })}\n`);
    }
    return EXIT_CODES.usage;
  }

  private note(text: string): void {
    this.io.stderr.write(`${this.errColors.dim(stripControls(text))}\n`);
  }

  async run(
    task: string,
    toolsModule: Promise<typeof import("@gemma-coder/tools")>,
  ): Promise<ExitCode> {
    const { args, io, workspace } = this;
    const signal = this.controller.signal;
    let settings: Settings;
    try {
      settings = await resolveSettings(args, io.env, workspace);
    } catch (error) {
      return this.fail(errorText(error));
    }

    let ready: { provider: ModelProvider; label: string; notes: string[] };
    try {
      ready = await this.chooseProvider(settings);
    } catch (error) {
      if (signal.aborted) return EXIT_CODES.interrupted;
      if (GemmaCoderError.isInstance(error)) return this.fail(error.message, error.code);
      throw error;
    }
    this.provider = ready.provider;
    if (signal.aborted) return EXIT_CODES.interrupted;
    for (const note of ready.notes) this.note(note);

    let rules: string | false | undefined;
    if (args.noRules) rules = false;
    else if (args.rules !== undefined) {
      const file = path.resolve(workspace, args.rules);
      try {
        rules = await fs.readFile(file, "utf8");
      } catch (error) {
        return this.fail(
          `cannot read the rules file ${file}: ${(error as NodeJS.ErrnoException).code ?? errorText(error)}.`,
        );
      }
    }

    const mode: ApprovalMode = args.yes ? "allow-all" : this.interactive ? "ask" : "refuse";
    const { createTools } = await toolsModule;
    const tools = createTools({
      root: workspace,
      readOnly: args.readOnly,
      approve: createApprover({ mode, ask: this.ask }),
    });
    let agent: Agent;
    try {
      agent = new Agent({
        provider: ready.provider,
        tools,
        rules,
        workspace,
        ...(settings.maxSteps === undefined ? {} : { maxSteps: settings.maxSteps }),
        ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
        ...(settings.contextWindow === undefined ? {} : { contextWindow: settings.contextWindow }),
        ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
      });
    } catch (error) {
      return this.fail(errorText(error));
    }

    const live = io.stdout.isTTY === true && !args.json;
    if (!args.json) {
      this.view = new LiveView({
        stdout: io.stdout,
        stderr: io.stderr,
        colors: this.colors,
        errColors: this.errColors,
        live: live && io.stderr.isTTY === true,
        verbose: args.verbose,
      });
    }
    if (mode === "refuse" && !args.readOnly) {
      this.note(
        "No terminal to ask for approval: file changes and commands will be refused (use --yes to allow them).",
      );
    }

    let result: RunResult | undefined;
    if (args.json) {
      for await (const event of agent.stream(task, { signal })) {
        io.stdout.write(`${toJsonLine(event)}\n`);
        if (event.type === "done") result = event.result;
      }
    } else {
      // Listeners see each event as it happens, so a tool line is on screen before the
      // approval question that tool asks (a stream would deliver it a tick later).
      const view = this.view as LiveView;
      for (const name of EVENT_NAMES) {
        agent.on(name, (payload: object) => view.handle({ type: name, ...payload } as AgentEvent));
      }
      result = await agent.run(task, { signal });
    }
    if (!result) return EXIT_CODES.failed;
    return this.finish(result);
  }

  private finish(result: RunResult): ExitCode {
    const interrupted = result.status === "aborted" && this.interrupts > 0;
    const setupError =
      result.stopReason === "provider-error" &&
      result.error !== undefined &&
      SETUP_ERRORS.has(result.error.code) &&
      result.steps <= 1;
    this.view?.summary(result, interrupted);
    if (result.status === "done") return EXIT_CODES.done;
    if (interrupted || result.status === "aborted") return EXIT_CODES.interrupted;
    if (setupError) {
      this.io.stderr.write(
        `${this.errColors.red("gemma-coder:")} the model backend could not be used: ${stripControls(result.error?.message ?? "")}\nCheck --provider, --model and --base-url (or the config files and OLLAMA_HOST / OPENROUTER_API_KEY).\n`,
      );
      return EXIT_CODES.usage;
    }
    if (this.args.verbose && result.error) {
      this.io.stderr.write(`${this.errColors.dim(String(result.error.stack ?? result.error))}\n`);
    }
    return EXIT_CODES.failed;
  }

  private async chooseProvider(
    settings: Settings,
  ): Promise<{ provider: ModelProvider; label: string; notes: string[] }> {
    const { io } = this;
    const signal = this.controller.signal;
    let name = settings.provider;
    let model = settings.model;
    let baseUrl = settings.baseUrl;
    const notes: string[] = [];
    let how = name ? `from ${settings.sources.provider}` : "";
    if (!name) {
      const { detectBackends } = await import("./detect.js");
      const { resolveOllamaHost, OLLAMA_DEFAULT_MODEL } = await import(
        "@gemma-coder/providers/ollama"
      );
      const detection = await detectBackends({
        ollamaUrl: baseUrl ?? resolveOllamaHost(io.env.OLLAMA_HOST),
        llamaCppUrl: baseUrl ?? "http://127.0.0.1:8080",
        openRouterKey: settings.apiKey,
        modelsDir: modelsDir(io.env),
        model,
        ollamaDefaultModel: OLLAMA_DEFAULT_MODEL,
        signal,
      });
      if (signal.aborted) throw signal.reason;
      for (const note of detection.notes) notes.push(note);
      const picked = detection.picked;
      if (picked) {
        name = picked.provider;
        model = picked.model ?? model;
        baseUrl = picked.baseUrl ?? baseUrl;
        how = `found ${picked.description}; choose with --provider or a config file`;
      } else {
        name = "embedded";
        how = "nothing else was found";
        for (const note of notes.splice(0)) this.note(note);
      }
    }
    let ready: { provider: ModelProvider; label: string; notes: string[] };
    if (name === "embedded") {
      const { createEmbeddedProvider } = await import("./embedded.js");
      ready = await createEmbeddedProvider(model, modelsDir(io.env), {
        ask: this.interactive ? this.ask : undefined,
        assumeYes: this.args.yes,
        stderr: io.stderr,
        signal,
        onLoadStatus: (text) => this.view?.setStatus(text),
        contextSize: settings.contextWindow,
      });
    } else {
      const { createProvider } = await import("./providers.js");
      // The OpenRouter key goes to OpenRouter only; llama-server takes a key from a config file.
      const apiKey =
        name === "openrouter" || settings.sources.apiKey !== "OPENROUTER_API_KEY"
          ? settings.apiKey
          : undefined;
      ready = await createProvider(
        {
          provider: name,
          model,
          baseUrl:
            name === "openrouter" && settings.sources.baseUrl === "OLLAMA_HOST"
              ? undefined
              : baseUrl,
          apiKey,
          contextWindow: settings.contextWindow,
        },
        { env: io.env, signal },
      );
    }
    io.stderr.write(
      `${this.errColors.dim("gemma-coder ·")} ${this.errColors.bold(stripControls(ready.label))} ${this.errColors.dim(`(${how}) · ${this.workspace}`)}\n`,
    );
    return { ...ready, notes: [...notes, ...ready.notes] };
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.reader?.close();
    await this.provider?.dispose?.();
  }
}
