import { promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { isatty } from "node:tty";
import {
  Agent,
  type AgentEvent,
  type AnyTool,
  type ConstrainedDecodingMode,
  GemmaCoderError,
  type ModelProvider,
  planToolCallConstraint,
  type RunResult,
} from "@gemma-coder/core";
import type { Sessions } from "@gemma-coder/sessions";
import { type ApprovalMode, createApprover } from "./approval.js";
import { type CliArgs, parseCliArgs } from "./args.js";
import { modelsDir } from "./cache-dir.js";
import {
  ignoredWarning,
  rememberFolderTrust,
  type TrustRequest,
  trustQuestion,
} from "./config/folder-trust.js";
import { bindApiKey } from "./config/key-binding.js";
import type { Env, Settings } from "./config/resolve-settings.js";
import { resolveSettings } from "./config/resolve-settings.js";
import { constrainedModeFor } from "./constrained-mode.js";
import { EXIT_CODES, type ExitCode } from "./exit-codes.js";
import { stripControls } from "./render/describe-call.js";
import { toJsonLine } from "./render/json-lines.js";
import { createRunRecorder, LiveView, type OutStream, type RunRecord } from "./render/live-view.js";
import { shellQuote } from "./render/shell-quote.js";
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
   * Handle SIGINT, SIGTERM and SIGHUP: the first aborts the run cleanly (SIGTERM and
   * SIGHUP kill running commands at once), the second exits at once with 130, 143 or
   * 129; whatever way the process exits, the commands' process groups are killed. The
   * `gemma-coder` launcher sets it; embedders calling `main` usually do not.
   */
  handleSignals?: boolean;
  /** Aborts the run as a first Ctrl-C would (for embedders and tests). */
  signal?: AbortSignal;
}

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

/**
 * Kills the process groups of the commands still running (set once the tools module is
 * loaded). Synchronous, for signal handlers and the process's `exit` event.
 */
let killCommands: (() => void) | undefined;
let exitHookInstalled = false;

/** Makes every exit of the process, however it happens, kill the commands it started. */
function killCommandsOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => killCommands?.());
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
 * the exit code. Also the subcommands `undo`, `demo` and `sessions`, and `--resume` /
 * `--continue`. It never calls `process.exit` itself unless `handleSignals` is set and a
 * second Ctrl-C arrives.
 *
 * @param argv - The arguments after the program name.
 * @param options - Streams, environment and folder; the process's by default.
 * @returns The exit code: 0 done, 1 failed or stopped by a limit (for `undo`: files were
 *   left alone), 2 usage or configuration error, 130 interrupted (Ctrl-C), 143 stopped by
 *   SIGTERM, 129 by SIGHUP. Every way out kills the commands the run started.
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
  if (args.command === "run" && args.task === undefined && args.resume === undefined) {
    return fail(
      "no task given. Say what to do in quotes, for example:",
      '  gemma-coder "fix the failing test in tests/test_api.py"\nRun `gemma-coder --help` for every option.',
    );
  }
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const workspace = path.resolve(cwd, args.cwd ?? ".");
  if (args.command !== "demo") {
    const isFolder = await fs.stat(workspace).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
    if (!isFolder) return fail(`the workspace folder ${workspace} does not exist (from --cwd).`);
  }
  if (args.command === "undo" || args.command === "sessions") {
    const { runSessionCommand } = await import("./session-commands.js");
    return runSessionCommand(args, { workspace, cwd, stdout, stderr, env });
  }
  if (args.command === "map") {
    const { runMapCommand } = await import("./map/run-map.js");
    return runMapCommand(args, { workspace, stdout, stderr, env });
  }
  if (args.command === "acp") {
    const { runAcp } = await import("./acp/run-acp.js");
    // The provider is chosen exactly as for a terminal run, but nothing is ever asked on
    // stdin: it carries the protocol.
    const ioFor = (signal: AbortSignal): InvocationIo => ({
      ...{ stdout: stderr, stderr, stdin: () => process.stdin, stdinIsTTY: false, cwd },
      ...{ env: { ...env, GEMMA_CODER_FORCE_PROMPT: undefined }, handleSignals: false, signal },
    });
    return runAcp(args, {
      ...{ workspace, stdout, stderr, env, handleSignals: options.handleSignals === true },
      stdin: options.stdin ?? process.stdin,
      chooseProvider: (settings, signal) =>
        new Invocation(args, workspace, ioFor(signal)).chooseProvider(settings),
    });
  }
  // Start loading what the run needs while the configuration is read: the tools, and the
  // provider named on the command line or in the environment (Ollama's module when none
  // is named, since detection looks for Ollama first).
  const modules: RunModules = {
    tools: import("@gemma-coder/tools"),
    sessions: args.session ? once(() => import("@gemma-coder/sessions")) : undefined,
  };
  modules.tools.then(
    (tools) => {
      killCommands = () => void tools.killRunningCommands();
    },
    () => undefined,
  );
  // A new task needs the sessions library only after the backend answered (see
  // Invocation.run); --resume and the demo need it at once.
  if (args.resume || args.command === "demo") modules.sessions?.().catch(() => undefined);
  if (args.command === "run")
    preloadProvider(args.provider ?? env.GEMMA_CODER_PROVIDER ?? "ollama");

  const invocation = new Invocation(args, workspace, {
    stdout,
    stderr,
    // process.stdin is only touched when a question is actually asked.
    stdin: () => options.stdin ?? process.stdin,
    stdinIsTTY: options.stdin ? options.stdin.isTTY === true : isatty(0),
    env,
    cwd,
    handleSignals: options.handleSignals === true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    return args.command === "demo"
      ? await invocation.demo(modules)
      : await invocation.run(args.task, modules);
  } finally {
    await invocation.close();
  }
}

/** The modules a run loads, started early so they load while other work goes on. */
interface RunModules {
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

interface InvocationIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: () => Readable;
  stdinIsTTY: boolean;
  env: Env;
  /** The folder the command was started in. */
  cwd: string;
  handleSignals: boolean;
  signal?: AbortSignal;
}

/** How the agent is started: a new task, or a session continued. */
type Start =
  | { kind: "run"; task: string }
  | { kind: "resume"; sessionId: string; message: string | undefined };

/** One invocation: owns the abort controller, the prompt reader and the provider. */
class Invocation {
  private readonly controller = new AbortController();
  private readonly errColors;
  private readonly colors;
  private interrupts = 0;
  /** The signal that stopped the run, when it was not Ctrl-C. */
  private stopSignal: "SIGTERM" | "SIGHUP" | undefined;
  private view: LiveView | undefined;
  private reader: LineReader | undefined;
  private provider: ModelProvider | undefined;
  private sessions: Sessions | undefined;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly args: CliArgs,
    private workspace: string,
    private readonly io: InvocationIo,
  ) {
    this.errColors = colorsFor(io.stderr, io.env);
    this.colors = colorsFor(io.stdout, io.env);
    const onInterrupt = () => this.interrupt();
    if (io.handleSignals) {
      const onTerminate = () => this.terminate("SIGTERM");
      const onHangUp = () => this.terminate("SIGHUP");
      process.on("SIGINT", onInterrupt);
      process.on("SIGTERM", onTerminate);
      process.on("SIGHUP", onHangUp);
      killCommandsOnExit();
      this.cleanups.push(() => {
        process.off("SIGINT", onInterrupt);
        process.off("SIGTERM", onTerminate);
        process.off("SIGHUP", onHangUp);
      });
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
      killCommands?.();
      process.exit(EXIT_CODES.interrupted);
    }
  }

  /**
   * SIGTERM or SIGHUP: the commands the run started are killed at once (the terminal or
   * the session that ran them is going away), then the run stops as on Ctrl-C; a second
   * signal exits at once. The exit code is 128 + the signal's number.
   */
  private terminate(signal: "SIGTERM" | "SIGHUP"): void {
    this.stopSignal ??= signal;
    killCommands?.();
    if (signal === "SIGHUP") {
      // The terminal may be gone: a failed write must not turn the stop into a crash.
      process.stdout.on("error", () => undefined);
      process.stderr.on("error", () => undefined);
    }
    this.interrupts++;
    if (this.interrupts === 1) {
      this.view?.pause();
      this.io.stderr.write(`\nStopping: received ${signal}.\n`);
      this.controller.abort(new GemmaCoderError(`Stopped by ${signal}.`, { code: "aborted" }));
      return;
    }
    process.exit(this.abortedCode());
  }

  /** The exit code of a run that was stopped: by Ctrl-C 130, SIGTERM 143, SIGHUP 129. */
  private abortedCode(): ExitCode {
    if (this.stopSignal === "SIGTERM") return EXIT_CODES.terminated;
    if (this.stopSignal === "SIGHUP") return EXIT_CODES.hangUp;
    return EXIT_CODES.interrupted;
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

  /**
   * Whether an untrusted project folder may set where requests, keys and files go:
   * `--trust-project` says yes for this run; a remembered answer stands; on a terminal
   * the user is asked once and the answer is kept in the user config; otherwise no.
   */
  private decideTrust = async (request: TrustRequest): Promise<boolean> => {
    if (this.args.trustProject) return true;
    if (request.remembered !== undefined) return request.remembered;
    if (!this.interactive) return false;
    const answer = await this.ask(stripControls(trustQuestion(request)));
    if (answer === undefined) return false;
    const trusted = /^\s*y(es)?\s*$/i.test(answer);
    try {
      await rememberFolderTrust(this.io.env, request.root, trusted);
    } catch (error) {
      this.warn(`${errorText(error)} The answer holds for this run only.`);
    }
    return trusted;
  };

  /** Says which project settings were left out, and which files another user owns. */
  private reportTrust(settings: Settings): void {
    if (settings.ignored) this.warn(ignoredWarning(settings.ignored));
    for (const file of settings.foreign) {
      this.warn(`the config file ${file} belongs to another user, so it was not read.`);
    }
  }

  private warn(text: string): void {
    this.io.stderr.write(`${this.errColors.yellow("gemma-coder: !")} ${stripControls(text)}\n`);
  }

  private fail(message: string, code = "config"): ExitCode {
    this.view?.pause();
    this.io.stderr.write(`${this.errColors.red("gemma-coder:")} ${stripControls(message)}\n`);
    if (this.args.json) {
      this.io.stdout.write(`${toJsonLine({ type: "error", error: { code, message } })}\n`);
    }
    return EXIT_CODES.usage;
  }

  /** Turns what a setup step threw into exit 2 (a `GemmaCoderError`) or rethrows. */
  private failWith(error: unknown): ExitCode {
    if (this.controller.signal.aborted) return this.abortedCode();
    if (GemmaCoderError.isInstance(error)) return this.fail(error.message, error.code);
    throw error;
  }

  /** Says when the backend enforces well-formed calls, so a user knows what is in effect. */
  private constrainedNote(
    mode: ConstrainedDecodingMode,
    provider: ModelProvider,
    tools: readonly AnyTool[],
  ): void {
    if (this.args.json || mode === "off") return;
    const plan = planToolCallConstraint({ tools, capabilities: provider.capabilities, mode });
    if (plan.mode === "off") return;
    const how = plan.mode === "grammar" ? "a grammar" : "a JSON schema";
    this.note(`constrained decoding: ${how} of the tool calls (--constrained off to disable)`);
  }

  private note(text: string): void {
    this.io.stderr.write(`${this.errColors.dim(stripControls(text))}\n`);
  }

  /**
   * Runs a task, or continues a session with `--resume` / `--continue` (then `task` is
   * the optional follow-up message).
   */
  async run(task: string | undefined, modules: RunModules): Promise<ExitCode> {
    const { args, io, workspace } = this;
    const signal = this.controller.signal;
    let settings: Settings;
    try {
      settings = await resolveSettings(args, io.env, workspace, { decideTrust: this.decideTrust });
    } catch (error) {
      if (this.controller.signal.aborted) return this.abortedCode();
      return this.fail(errorText(error));
    }
    this.reportTrust(settings);
    let start: Start;
    if (args.resume) {
      // Which session, and whether it can go on, is settled before any backend is touched.
      let resumed: { sessionId: string } | ExitCode;
      try {
        await this.openSessions(modules, workspace, settings.sessionsDir);
        resumed = await this.findSession(args.resume.id, task);
      } catch (error) {
        return this.failWith(error);
      }
      if (typeof resumed === "number") return resumed;
      start = { kind: "resume", sessionId: resumed.sessionId, message: task };
    } else {
      start = { kind: "run", task: task as string };
    }

    // A rules file that cannot be read is a usage error: found before any backend is contacted.
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

    let ready: Awaited<ReturnType<Invocation["chooseProvider"]>>;
    try {
      ready = await this.chooseProvider(settings);
      this.provider = ready.provider;
      // For a new task the sessions library is needed only by the agent, so it loads
      // once the backend answered: the first request to it is not held up.
      if (!args.resume) await this.openSessions(modules, workspace, settings.sessionsDir);
    } catch (error) {
      return this.failWith(error);
    }
    if (signal.aborted) return this.abortedCode();
    for (const note of ready.notes) this.note(note);

    const contextWindow = ready.contextWindow ?? settings.contextWindow;
    const mode: ApprovalMode = args.yes ? "allow-all" : this.interactive ? "ask" : "refuse";
    const { createTools } = await modules.tools;
    const { equipRun } = await import("./map/equip-run.js");
    const { tools, ...mapOptions } = await equipRun({
      ...{ workspace, env: io.env, settings },
      tools: createTools({ root: workspace, readOnly: args.readOnly }),
    });
    const constrained = constrainedModeFor(settings.constrained, ready.provider.id);
    let agent: Agent;
    try {
      agent = new Agent({
        provider: ready.provider,
        tools,
        // On the Agent, not the tools: the answer comes before the checkpoint (git).
        approve: createApprover({
          mode,
          ask: this.ask,
          root: workspace,
          colors: this.errColors,
          terminalSize: () => ({ columns: io.stderr.columns, rows: io.stderr.rows }),
        }),
        rules,
        workspace,
        constrainedDecoding: constrained,
        ...(settings.maxSteps === undefined ? {} : { maxSteps: settings.maxSteps }),
        ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
        ...(contextWindow === undefined ? {} : { contextWindow }),
        ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
        ...this.sessionOptions(),
        ...mapOptions,
      });
    } catch (error) {
      return this.fail(errorText(error));
    }
    this.constrainedNote(constrained, ready.provider, tools);
    const refuseNote =
      mode === "refuse" && !args.readOnly
        ? "No terminal to ask for approval: file changes and commands will be refused (use --yes to allow them)."
        : undefined;
    return this.drive(agent, start, { live: true, refuseNote });
  }

  /**
   * `gemma-coder demo`: a recorded session replayed through the real tools on a scratch
   * copy of a small repository. No configuration is read and no model is needed.
   */
  async demo(modules: RunModules): Promise<ExitCode> {
    const { args, io } = this;
    const { prepareDemo } = await (modules.sessions?.() ?? import("@gemma-coder/sessions"));
    const live = io.stdout.isTTY === true && !args.json;
    let demo: Awaited<ReturnType<typeof prepareDemo>>;
    try {
      // Streamed at a readable pace for a person; at once for scripts and tests.
      demo = await prepareDemo(
        args.target === undefined ? undefined : path.resolve(io.cwd, args.target),
        live ? {} : { chunkSize: 4096, delayMs: 0 },
      );
    } catch (error) {
      return this.failWith(error);
    }
    this.workspace = demo.dir;
    this.provider = demo.provider;
    const c = this.errColors;
    io.stderr.write(
      `\n${c.bold(c.yellow("▶ Replay of a recorded session: no model is running."))}\n${stripControls(demo.label)}\n\n${c.dim("gemma-coder ·")} ${c.bold("recorded demo session")} ${c.dim(`· ${demo.dir}`)}\n${c.dim(`task: ${stripControls(demo.task)}`)}\n`,
    );
    try {
      await this.openSessions(
        modules,
        demo.dir,
        args.sessionsDir === undefined ? undefined : path.resolve(io.cwd, args.sessionsDir),
      );
    } catch (error) {
      return this.failWith(error);
    }
    const { createTools } = await modules.tools;
    // Inside its own scratch copy the demo needs no approvals: it runs as with --yes.
    const agent = new Agent({
      provider: demo.provider,
      tools: createTools({ root: demo.dir }),
      approve: createApprover({ mode: "allow-all" }),
      workspace: demo.dir,
      ...this.sessionOptions(),
    });
    // Its session can be undone like any other; continuing it would need a real model.
    const code = await this.drive(
      agent,
      { kind: "run", task: demo.task },
      { live, continueHint: false },
    );
    io.stderr.write(
      `\nThe scratch copy is in ${demo.dir}. Run its tests:\n  cd ${shellQuote(demo.dir)} && node --test\n`,
    );
    return code;
  }

  /** Opens the transcript store and checkpointer, unless `--no-session`. */
  private async openSessions(
    modules: RunModules,
    workspace: string,
    dir: string | undefined,
  ): Promise<void> {
    if (!modules.sessions) return;
    const { openSessions } = await modules.sessions();
    this.sessions = await openSessions({ workspace, dir, env: this.io.env });
  }

  private sessionOptions(): {
    session?: Sessions["store"];
    checkpointer?: Sessions["checkpointer"];
  } {
    return this.sessions
      ? { session: this.sessions.store, checkpointer: this.sessions.checkpointer }
      : {};
  }

  /**
   * Finds the session `--resume` / `--continue` names and checks that it can be
   * continued, before any model is contacted.
   *
   * @returns The session id, or an exit code after explaining why not.
   */
  private async findSession(
    id: string | undefined,
    message: string | undefined,
  ): Promise<{ sessionId: string } | ExitCode> {
    const sessions = this.sessions as Sessions;
    const { store, dir } = sessions;
    const flag = this.args.resume?.id === undefined ? "--continue" : "--resume";
    let sessionId: string;
    if (id === undefined) {
      const latest = await store.latest();
      if (!latest) {
        return this.fail(
          `there is no session to continue in ${dir}: sessions are recorded per workspace, and none was recorded for ${this.workspace} yet (or they are kept elsewhere: see --sessions-dir).`,
          "invalid-argument",
        );
      }
      sessionId = latest.sessionId;
    } else {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
        return this.fail(
          `"${id}" is not a session id. To continue the latest session with a follow-up message, use --continue ${shellQuote(id)}; \`gemma-coder sessions\` lists the sessions and their ids.`,
          "invalid-argument",
        );
      }
      try {
        sessionId = await store.resolve(id);
      } catch (error) {
        if (!GemmaCoderError.isInstance(error)) throw error;
        return this.fail(
          `${error.message} \`gemma-coder sessions\` lists the sessions of this workspace; --continue takes the latest.`,
          error.code,
        );
      }
    }
    const snapshot = await store.snapshot(sessionId);
    if (snapshot.status === "empty" || snapshot.task === undefined) {
      return this.fail(
        `session ${sessionId} has nothing to continue: it stopped before its first run began. Start a new task instead.`,
        "invalid-argument",
      );
    }
    if (snapshot.status === "done" && (message === undefined || message.trim() === "")) {
      return this.fail(
        `session ${sessionId} already finished (the model called done: "${firstLine(snapshot.runs.at(-1)?.summary ?? "")}"). To continue it, add a follow-up message: gemma-coder ${flag}${flag === "--resume" ? ` ${sessionId}` : ""} "<what to do next>".`,
        "invalid-argument",
      );
    }
    const recorded =
      snapshot.workspace === undefined ? undefined : path.resolve(snapshot.workspace);
    if (recorded !== undefined && recorded !== this.workspace) {
      const stillThere = await fs.stat(recorded).then(
        (stats) => stats.isDirectory(),
        () => false,
      );
      if (stillThere) {
        return this.fail(
          `session ${sessionId} was recorded in ${recorded}, not in ${this.workspace}: continue it there (gemma-coder -C ${shellQuote(recorded)} --resume ${sessionId}).`,
          "invalid-argument",
        );
      }
      this.note(
        `Session ${sessionId} was recorded in ${recorded}, which no longer exists; continuing in ${this.workspace}.`,
      );
    }
    for (const warning of snapshot.warnings) this.note(`! ${warning}`);
    const last = snapshot.runs.at(-1);
    this.note(
      `Continuing session ${sessionId}: "${firstLine(snapshot.task)}" (last run ${last ? describeStatus(last.status, last.stopReason) : "unknown"}, step ${snapshot.lastStep}).`,
    );
    return { sessionId };
  }

  /** Runs the agent with the live view or JSON lines and turns the result into an exit code. */
  private async drive(
    agent: Agent,
    start: Start,
    options: { live: boolean; refuseNote?: string | undefined; continueHint?: boolean },
  ): Promise<ExitCode> {
    const { args, io } = this;
    const signal = this.controller.signal;
    const live = options.live && io.stdout.isTTY === true && !args.json;
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
    if (options.refuseNote) this.note(options.refuseNote);

    // What the run did, for the hints after it, whatever the output mode.
    const recorder = createRunRecorder();
    let turns = 0;
    const observe = (event: AgentEvent) => {
      recorder.observe(event);
      if (event.type === "turn-start") turns++;
    };
    let result: RunResult | undefined;
    // One subscription feeds both output modes, each event as it happens, so a tool line is
    // on screen before the approval question that tool asks.
    const view = this.view;
    const unsubscribe = agent.onEvent((event) => {
      observe(event);
      // `done` also lists the files the run changed, so a script need not rebuild it.
      if (args.json) {
        const line = event.type === "done" ? withChangedFiles(event, recorder.record) : event;
        io.stdout.write(`${toJsonLine(line)}\n`);
      } else view?.handle(event);
    });
    try {
      result =
        start.kind === "run"
          ? await agent.run(start.task, { signal })
          : await agent.resume(start.sessionId, { message: start.message, signal });
    } catch (error) {
      return this.failWith(error);
    } finally {
      unsubscribe();
    }
    if (!result) return EXIT_CODES.failed;
    const code = this.refusedCode(result, recorder.record) ?? this.finish(result, turns);
    if (code !== EXIT_CODES.usage) {
      this.sessionHints(result, recorder.record, options.continueHint !== false);
    }
    return code;
  }

  /**
   * A run the model ended with `done` while changes were refused for want of a terminal
   * did not do what it says: it exits 1 and names what was refused, so CI sees a failure.
   */
  private refusedCode(result: RunResult, record: RunRecord): ExitCode | undefined {
    if (result.status !== "done" || record.refused === 0) return undefined;
    this.view?.summary(result, false);
    const count = record.refused === 1 ? "1 change was" : `${record.refused} changes were`;
    this.io.stderr.write(
      `${this.errColors.red("gemma-coder:")} ${count} refused (${record.refusedCalls.join(", ")}): there was no terminal to ask, so the task is not done whatever the model's summary says. Run with --yes to allow changes.\n`,
    );
    return EXIT_CODES.failed;
  }

  private finish(result: RunResult, turns: number): ExitCode {
    const interrupted = result.status === "aborted" && this.interrupts > 0;
    const setupError =
      result.stopReason === "provider-error" &&
      result.error !== undefined &&
      SETUP_ERRORS.has(result.error.code) &&
      turns <= 1;
    this.view?.summary(result, interrupted);
    if (result.status === "done") return EXIT_CODES.done;
    if (interrupted || result.status === "aborted") return this.abortedCode();
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

  /** After the summary, on stderr: the session and run ids and how to undo or continue. */
  private sessionHints(result: RunResult, record: RunRecord, continueHint: boolean): void {
    if (!this.sessions || result.sessionId === undefined) return;
    const c = this.errColors;
    let again = "gemma-coder";
    if (this.workspace !== this.io.cwd) again += ` -C ${shellQuote(this.workspace)}`;
    if (this.sessions.location === "custom" && this.args.sessionsDir !== undefined) {
      again += ` --sessions-dir ${shellQuote(this.sessions.dir)}`;
    }
    const hints: string[] = [];
    if (record.changed.size > 0 || record.commands > 0) hints.push(`undo: ${again} undo`);
    if (continueHint) {
      hints.push(
        result.status === "done"
          ? `continue: ${again} --resume ${result.sessionId} "<follow-up>"`
          : `finish it: ${again} --resume ${result.sessionId}`,
      );
    }
    if (hints.length === 0) hints.push("nothing to undo: no files were changed");
    this.io.stderr.write(
      `${c.dim(`  session ${result.sessionId} · run ${result.runId}`)}\n${c.dim(`  ${hints.join(" · ")}`)}\n`,
    );
  }

  /** @internal Also used by `gemma-coder acp`, which picks the backend the same way. */
  async chooseProvider(
    settings: Settings,
  ): Promise<{ provider: ModelProvider; label: string; notes: string[]; contextWindow?: number }> {
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
    let ready: { provider: ModelProvider; label: string; notes: string[]; contextWindow?: number };
    if (name === "embedded") {
      const { createEmbeddedProvider } = await import("./embedded.js");
      ready = await createEmbeddedProvider(model, modelsDir(io.env), {
        ask: this.interactive ? this.ask : undefined,
        allowDownload: this.args.download,
        stderr: io.stderr,
        signal,
        onLoadStatus: (text) => this.view?.setStatus(text),
        contextSize: settings.contextWindow,
      });
    } else {
      const { createProvider } = await import("./providers.js");
      const finalBaseUrl =
        name === "openrouter" && settings.sources.baseUrl === "OLLAMA_HOST" ? undefined : baseUrl;
      // A key goes only to the host it was configured for. A base URL no layer set is the
      // provider's default (detection probes the default address when none is set).
      const configured = finalBaseUrl !== undefined && finalBaseUrl === settings.baseUrl;
      const bound = configured
        ? bindApiKey(settings, name, finalBaseUrl, settings.sources.baseUrl)
        : bindApiKey(settings, name, undefined, undefined);
      if (bound.withheld) this.warn(bound.withheld);
      ready = await createProvider(
        {
          provider: name,
          model,
          baseUrl: finalBaseUrl,
          apiKey: bound.apiKey,
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

function firstLine(text: string): string {
  const line = stripControls(text.trim().split("\n")[0] ?? "");
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function describeStatus(status: string, stopReason: string | undefined): string {
  if (status === "interrupted") return "was cut off (no end was recorded)";
  if (status === "done") return "finished";
  return `${status}${stopReason && stopReason !== status ? ` (${stopReason})` : ""}`;
}

/**
 * The `--json` line of the `done` event, with the files the run changed (as the summary
 * lists them): `changedFiles: [{ path, how: "created" | "changed" }]`.
 */
function withChangedFiles(event: AgentEvent, record: RunRecord): object {
  const changedFiles = [...record.changed].map(([file, how]) => ({ path: file, how }));
  return { ...event, changedFiles };
}
