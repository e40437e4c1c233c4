import type { AgentEvent, RunResult } from "@gemma-coder/core";
import { ProseFilter } from "@gemma-coder/core";
import type { Colors } from "../terminal/colors.js";
import { Spinner } from "../terminal/spinner.js";
import { describeCall, describeResult, stripControls } from "./describe-call.js";

/** An output stream as the view uses it. */
export interface OutStream {
  /**
   * Writes text.
   *
   * @param text - What to write.
   */
  write(text: string): unknown;
  /** `true` for a terminal: it gets the live view (spinner, streamed text) and colour. */
  isTTY?: boolean | undefined;
  /** A terminal's width, for wrapping what must be shown whole (approval questions). */
  columns?: number | undefined;
  /** A terminal's height, for sizing a diff to the screen. */
  rows?: number | undefined;
}

/** Options of {@link LiveView}. */
export interface LiveViewOptions {
  /** Model prose, tool lines and the summary. */
  stdout: OutStream;
  /** The spinner, warnings and notes. */
  stderr: OutStream;
  /** Colours for stdout. */
  colors: Colors;
  /** Colours for stderr. */
  errColors: Colors;
  /** Animate (a spinner, text as it streams). Off: plain whole lines. */
  live: boolean;
  /** Show the raw model text and context events. */
  verbose: boolean;
  /** A clock in milliseconds. */
  now?: () => number;
  /**
   * Calls `tick` every `ms` until the returned function is called; plain output uses it
   * to say that a slow model is still working when no event comes. Default: an unref'd
   * `setInterval`. Tests pass one they drive by hand.
   */
  every?: (ms: number, tick: () => void) => () => void;
}

/** How often plain (non-terminal) output says that the model is still working. */
const PROGRESS_EVERY_MS = 5000;
/** How often plain output checks whether it is time to say so, when no event comes. */
const PROGRESS_TICK_MS = 1000;

function everyInterval(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref?.();
  return () => clearInterval(timer);
}

/** What the view learnt about the run, for the summary. */
export interface RunRecord {
  /** Files written or edited, in order, with how. */
  changed: Map<string, "created" | "changed">;
  /** Commands run. */
  commands: number;
  /** Changes refused for want of approval. */
  refused: number;
  /** What was refused, one short description per call (`write_file new.txt`). */
  refusedCalls: string[];
}

// Not Intl.NumberFormat: loading ICU's locale data for it costs about 7 MB of memory.
const nf = {
  format: (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ","),
};

/**
 * Formats milliseconds as `850ms`, `12.3s` or `2m 05s`.
 *
 * @param ms - The duration.
 * @returns Text.
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, "0")}s`;
}

/**
 * Records what a run changed from its events, whatever the output mode.
 *
 * @returns A record and the function to feed it events.
 */
export function createRunRecorder(): { record: RunRecord; observe: (event: AgentEvent) => void } {
  const record: RunRecord = { changed: new Map(), commands: 0, refused: 0, refusedCalls: [] };
  const calls = new Map<number, Record<string, unknown>>();
  const observe = (event: AgentEvent) => {
    if (event.type === "tool-call") calls.set(event.step, event.args);
    if (event.type !== "tool-result") return;
    const args = calls.get(event.step) ?? {};
    if (event.name === "run_shell" && event.result.ok) record.commands++;
    if (!event.result.ok && /not approved/.test(event.result.error)) {
      record.refused++;
      record.refusedCalls.push(stripControls(describeCall(event.name, args)));
    }
    if ((event.name === "write_file" || event.name === "edit_file") && event.result.ok) {
      const file = typeof args.path === "string" ? args.path : undefined;
      const created = /^Created /.test(String(event.result.value));
      if (file && !record.changed.has(file))
        record.changed.set(file, created ? "created" : "changed");
    }
  };
  return { record, observe };
}

/**
 * The live terminal view of a run: the model's prose as it streams (tool-call markup
 * hidden), each tool call with a one-line result, a spinner with time and token counters
 * while the model thinks, and a final summary. With `live` off (stdout is not a
 * terminal) it prints plain whole lines and no control codes.
 */
export class LiveView {
  private readonly spinner: Spinner;
  private filter = new ProseFilter();
  private readonly now: () => number;
  private readonly started: number;
  private readonly recorder = createRunRecorder();
  private atLineStart = true;
  private lineBuffer = "";
  private tokensIn = 0;
  private tokensCached = 0;
  private tokensOut = 0;
  private turnChars = 0;
  /** The steps this run took (a resumed session's `result.steps` counts from its start). */
  private readonly stepsTaken = new Set<number>();
  /** When plain output last said the model is still writing (see {@link progress}). */
  private lastProgress = 0;
  private phase: "model" | "tool" | "idle" = "idle";
  private phaseStarted = 0;
  private toolLabel = "";
  private status: string | undefined;
  private statusStarted = 0;
  /** Stops the plain-output progress ticker, while it runs. */
  private stopTicker: (() => void) | undefined;

  /** @param options - Streams, colours and mode. */
  constructor(private readonly options: LiveViewOptions) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    this.spinner = new Spinner(
      options.stderr as NodeJS.WritableStream,
      options.errColors,
      options.live,
    );
  }

  /** What the run changed so far. */
  get record(): RunRecord {
    return this.recorder.record;
  }

  // long-function: one case per agent event, each a few lines
  /**
   * Shows one event.
   *
   * @param event - The event.
   */
  handle(event: AgentEvent): void {
    this.recorder.observe(event);
    const c = this.options.colors;
    switch (event.type) {
      case "turn-start":
        this.stepsTaken.add(event.step);
        this.turnChars = 0;
        this.lastProgress = this.now();
        this.setPhase("model");
        break;
      case "text-delta": {
        this.turnChars += event.text.length;
        this.progress();
        if (this.options.verbose) {
          this.prose(event.text, c.dim);
          break;
        }
        const shown = this.filter.push(event.text);
        if (shown) this.prose(shown);
        // The prose is over and the call is being written: say so rather than look stuck.
        if (this.filter.hiding && !this.spinner.active && this.phase === "model") {
          this.flushProse();
          this.spinner.start(() => this.label());
        }
        break;
      }
      case "turn-restart":
        this.withdraw(event.reason.message, event.attempt, event.retries);
        break;
      case "turn-end": {
        const rest = this.options.verbose ? "" : this.filter.end();
        if (rest) this.prose(rest);
        this.flushProse();
        if (event.finishReason === "length") {
          this.line(c.yellow("  ! the reply hit the output token limit"));
        }
        break;
      }
      case "tool-call":
        this.spinner.stop();
        this.endTicker();
        this.flushProse();
        if (event.name !== "done") {
          this.line(`${c.cyan("→")} ${describeCall(event.name, event.args)}`);
          this.toolLabel =
            event.name === "run_shell" ? "running the command" : `running ${event.name}`;
          this.setPhase("tool");
        }
        break;
      case "tool-result":
        this.spinner.stop();
        if (event.name === "done" && event.result.ok) break;
        this.line(
          event.result.ok
            ? `  ${c.green("✓")} ${c.dim(describeResult(event.name, event.result))}`
            : `  ${c.red("✗")} ${describeResult(event.name, event.result)}`,
        );
        this.phase = "idle";
        break;
      case "invalid-reply":
        this.flushProse();
        this.line(
          c.yellow(`  ! unusable reply (${event.consecutive}): ${firstLine(event.feedback)}`),
        );
        break;
      case "usage":
        this.tokensIn = event.total.inputTokens;
        this.tokensCached = event.total.cachedInputTokens;
        this.tokensOut = event.total.outputTokens;
        break;
      case "notice":
        this.flushProse();
        this.line(c.dim(`  · ${stripControls(event.message)}`));
        break;
      case "warning":
        this.note(this.options.errColors.yellow(`! ${stripControls(event.message)}`));
        break;
      case "context-elided":
      case "context-compacted":
        if (this.options.verbose) {
          this.flushProse();
          this.line(
            c.dim(
              `  · context ${event.type === "context-elided" ? "elided" : "compacted"}: ${nf.format(event.tokensBefore)} → ${nf.format(event.tokensAfter)} tokens`,
            ),
          );
        }
        break;
      case "done":
      case "error":
        this.spinner.stop();
        this.endTicker();
        this.flushProse();
        break;
      default:
        break;
    }
  }

  /**
   * Replaces "waiting for the model" in the spinner while something slow happens first
   * (the embedded engine loading its model); `undefined` restores it. Without a spinner
   * the text is shown once as a note.
   *
   * @param text - What is happening.
   */
  setStatus(text: string | undefined): void {
    // Plain output gets the first status at once and then a line every few seconds
    // (from the ticker), not a line per percent.
    const first = text !== undefined && this.status === undefined;
    this.status = text;
    if (first) {
      this.statusStarted = this.now();
      this.lastProgress = this.statusStarted;
      if (!this.options.live) this.note(this.options.errColors.dim(text.replace(/ \d+%$/, "…")));
    }
    // Loading may come before the first turn (the context size is asked first): the
    // spinner or the ticker must not wait for the turn to show it.
    if (text !== undefined) this.startProgress();
    else if (this.phase === "idle") {
      this.spinner.stop();
      this.endTicker();
    }
  }

  /**
   * Clears the spinner so a question can be asked on stderr.
   */
  pause(): void {
    this.spinner.stop();
    this.flushProse();
  }

  /** Restarts the spinner after a question, for the tool that now runs. */
  resume(): void {
    if (this.phase !== "idle") this.spinner.start(() => this.label());
  }

  /**
   * Says on stderr that Ctrl-C was seen.
   */
  interrupting(): void {
    this.spinner.stop();
    this.endTicker();
    this.flushProse();
    this.note(this.options.errColors.yellow("Stopping… (press Ctrl-C again to quit at once)"));
  }

  /**
   * Prints the final summary.
   *
   * @param result - The run's result.
   * @param interrupted - Ctrl-C ended it.
   */
  summary(result: RunResult, interrupted: boolean): void {
    this.spinner.stop();
    this.endTicker();
    this.flushProse();
    const c = this.options.colors;
    const steps = this.stepsTaken.size;
    const stats = c.dim(
      `${steps} ${steps === 1 ? "step" : "steps"} · ${formatDuration(result.durationMs)} · ${nf.format(result.usage.inputTokens)} tokens in, ${nf.format(result.usage.outputTokens)} out`,
    );
    const refused = this.record.refused > 0;
    if (result.status === "done" && refused) {
      // The model's summary may claim a fix that was never applied: say so first.
      this.line(`${c.yellow("! done, but changes were refused")} ${c.dim("·")} ${stats}`);
      if (result.summary) this.line(indent(`The model says: ${result.summary}`));
    } else if (result.status === "done") {
      this.line(`${c.green("✓ done")} ${c.dim("·")} ${stats}`);
      if (result.summary) this.line(indent(result.summary));
    } else if (interrupted) {
      this.line(`${c.yellow("■ interrupted")} ${c.dim("·")} ${stats}`);
    } else {
      this.line(`${c.red("✗ stopped")} ${c.dim("·")} ${stats}`);
      this.line(indent(result.message));
    }
    const record = this.record;
    if (record.changed.size > 0) {
      const files = [...record.changed].map(([file, how]) =>
        stripControls(how === "created" ? `${file} (new)` : file),
      );
      this.line(`  ${interrupted ? "changed so far" : "changed"}: ${files.join(", ")}`);
    } else if (result.status !== "done" || interrupted) {
      this.line(c.dim("  no files were changed by the file tools"));
    }
    if (record.commands > 0) {
      this.line(
        c.dim(`  ran ${record.commands} ${record.commands === 1 ? "command" : "commands"}`),
      );
    }
    if (record.refused > 0) {
      this.line(
        c.yellow(
          `  ${record.refused} ${record.refused === 1 ? "change was" : "changes were"} refused: there was no terminal to ask. Run with --yes to allow changes.`,
        ),
      );
    }
  }

  /**
   * A broken reply is asked again: what of it was never printed is dropped, and what was
   * printed is marked as withdrawn, so the reader does not take it for the model's answer.
   */
  private withdraw(reason: string, attempt: number, retries: number): void {
    this.filter = new ProseFilter();
    this.turnChars = 0;
    this.lineBuffer = "";
    this.spinner.stop();
    this.line(
      this.options.colors.yellow(
        `  ↺ the reply broke off (${firstLine(reason)}); its text is withdrawn and the turn is asked again (retry ${attempt} of ${retries})`,
      ),
    );
    this.setPhase("model");
  }

  /**
   * Plain output shows prose a line at a time and has no spinner, so a model that loads,
   * thinks before its first token, or slowly writes a long call looks hung: at most every
   * {@link PROGRESS_EVERY_MS} a line on stderr says what it is doing and for how long.
   */
  private progress(): void {
    if (this.options.live) return;
    const now = this.now();
    if (now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    let what: string;
    if (this.phase === "model" && this.turnChars > 0) {
      what = `the model is still writing (${nf.format(this.turnChars)} characters, ${formatDuration(now - this.phaseStarted)})`;
    } else if (this.status !== undefined) {
      what = `${this.status} (${formatDuration(now - this.statusStarted)})`;
    } else if (this.phase === "model") {
      what = `waiting for the model (${formatDuration(now - this.phaseStarted)})`;
    } else return;
    this.note(this.options.errColors.dim(`… ${stripControls(what)}`));
  }

  /** The spinner on a terminal; the ticker that calls {@link progress} on plain output. */
  private startProgress(): void {
    if (this.options.live) {
      this.spinner.start(() => this.label());
      return;
    }
    this.stopTicker ??= (this.options.every ?? everyInterval)(PROGRESS_TICK_MS, () =>
      this.progress(),
    );
  }

  private endTicker(): void {
    this.stopTicker?.();
    this.stopTicker = undefined;
  }

  private setPhase(phase: "model" | "tool"): void {
    this.phase = phase;
    this.phaseStarted = this.now();
    if (phase === "model") this.startProgress();
    else this.spinner.start(() => this.label());
  }

  private label(): string {
    const c = this.options.errColors;
    const since = this.phase === "idle" ? this.statusStarted : this.phaseStarted;
    const elapsed = formatDuration(this.now() - since);
    const total = formatDuration(this.now() - this.started);
    const what =
      this.phase === "tool"
        ? this.toolLabel
        : this.turnChars > 0
          ? "the model is writing a call"
          : (this.status ?? "waiting for the model");
    return `${what} ${c.dim(`${elapsed} · total ${total} · ${nf.format(this.tokensIn)} in${this.tokensCached > 0 ? ` (${nf.format(this.tokensCached)} cached)` : ""} / ${nf.format(this.tokensOut)} out`)}`;
  }

  private prose(raw: string, style: (text: string) => string = (t) => t): void {
    const text = stripControls(raw);
    this.spinner.stop();
    if (this.options.live) {
      this.options.stdout.write(style(text));
      this.atLineStart = text.endsWith("\n");
      return;
    }
    this.lineBuffer += text;
    const end = this.lineBuffer.lastIndexOf("\n");
    if (end !== -1) {
      this.options.stdout.write(this.lineBuffer.slice(0, end + 1));
      this.lineBuffer = this.lineBuffer.slice(end + 1);
    }
  }

  private flushProse(): void {
    if (this.lineBuffer !== "") {
      this.options.stdout.write(`${this.lineBuffer}\n`);
      this.lineBuffer = "";
    }
    if (!this.atLineStart) {
      this.options.stdout.write("\n");
      this.atLineStart = true;
    }
  }

  private line(text: string): void {
    this.flushProse();
    this.options.stdout.write(`${text}\n`);
  }

  private note(text: string): void {
    this.options.stderr.write(`${text}\n`);
  }
}

/**
 * The first line of feedback, shortened: a last sentence that ends in ":" introduces what
 * the next lines show (an example call), so it is dropped when a sentence comes before it.
 */
function firstLine(text: string): string {
  let line = stripControls(text.split("\n")[0] ?? "");
  const lastSentence = line.lastIndexOf(". ");
  if (line.endsWith(":") && lastSentence > 0) line = line.slice(0, lastSentence + 1);
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

function indent(text: string): string {
  return stripControls(text)
    .trim()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
