import { GemmaCoderError } from "@gemma-coder/core";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";
import type { LiveView, OutStream } from "../render/live-view.js";

/**
 * Kills the process groups of the commands still running (set once the tools module is
 * loaded). Synchronous, for signal handlers and the process's `exit` event.
 */
let killCommands: (() => void) | undefined;
let exitHookInstalled = false;

/**
 * Registers how to kill the commands the tools started, once the tools module is loaded.
 *
 * @param kill - Kills their process groups, synchronously.
 */
export function setCommandKiller(kill: () => void): void {
  killCommands = kill;
}

/** Makes every exit of the process, however it happens, kill the commands it started. */
function killCommandsOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => killCommands?.());
}

/** What the interrupt handling needs from the invocation. */
export interface InterruptsIo {
  stderr: OutStream;
  /** Handle SIGINT, SIGTERM and SIGHUP (the launcher sets it). */
  handleSignals: boolean;
  /** Stops the run as a first Ctrl-C would, silently (embedders, the ACP and MCP servers, tests). */
  signal?: AbortSignal | undefined;
  /** The live view, when one is showing. */
  view(): LiveView | undefined;
}

/**
 * Ctrl-C, SIGTERM and SIGHUP for one invocation: the first stops the run cleanly through
 * one abort controller, the second exits at once; the exit code says which signal it was.
 */
export class Interrupts {
  private readonly controller = new AbortController();
  private count = 0;
  /** The signal that stopped the run, when it was not Ctrl-C. */
  private stopSignal: "SIGTERM" | "SIGHUP" | undefined;
  private readonly cleanups: (() => void)[] = [];

  /** @param io - Where to say what happens, and what to listen to. */
  constructor(private readonly io: InterruptsIo) {
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
    const external = io.signal;
    if (external) {
      const onAbort = () => this.stopForCaller();
      if (external.aborted) onAbort();
      else external.addEventListener("abort", onAbort, { once: true });
      this.cleanups.push(() => external.removeEventListener("abort", onAbort));
    }
  }

  /** Fires on the first interrupt or stop signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether Ctrl-C (or a stop signal) was received. */
  get interrupted(): boolean {
    return this.count > 0;
  }

  /** Ctrl-C: the first stops the run, the second quits at once (only with `handleSignals`). */
  interrupt(): void {
    this.count++;
    if (this.count === 1) {
      const view = this.io.view();
      view?.interrupting();
      if (!view) this.io.stderr.write("\nStopping… (press Ctrl-C again to quit at once)\n");
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
   * The caller's signal aborted (an embedder, or the ACP or MCP connection ending): the run
   * stops as on a first Ctrl-C, without a word on stderr, since no key was pressed and a
   * second one would not be ours to handle.
   */
  private stopForCaller(): void {
    this.count++;
    if (this.count > 1) return;
    this.controller.abort(new GemmaCoderError("Stopped by the caller.", { code: "aborted" }));
  }

  /**
   * SIGTERM or SIGHUP: the commands the run started are killed at once (the terminal or
   * the session that ran them is going away), then the run stops as on Ctrl-C; a second
   * signal exits at once. The exit code is 128 + the signal's number.
   */
  terminate(signal: "SIGTERM" | "SIGHUP"): void {
    this.stopSignal ??= signal;
    killCommands?.();
    if (signal === "SIGHUP") {
      // The terminal may be gone: a failed write must not turn the stop into a crash.
      process.stdout.on("error", () => undefined);
      process.stderr.on("error", () => undefined);
    }
    this.count++;
    if (this.count === 1) {
      this.io.view()?.pause();
      this.io.stderr.write(`\nStopping: received ${signal}.\n`);
      this.controller.abort(new GemmaCoderError(`Stopped by ${signal}.`, { code: "aborted" }));
      return;
    }
    process.exit(this.abortedCode());
  }

  /** The exit code of a run that was stopped: by Ctrl-C 130, SIGTERM 143, SIGHUP 129. */
  abortedCode(): ExitCode {
    if (this.stopSignal === "SIGTERM") return EXIT_CODES.terminated;
    if (this.stopSignal === "SIGHUP") return EXIT_CODES.hangUp;
    return EXIT_CODES.interrupted;
  }

  /** Stops listening to the signals. */
  close(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}
