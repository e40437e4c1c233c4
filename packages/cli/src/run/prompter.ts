import type { Readable } from "node:stream";
import { rememberFolderTrust, type TrustRequest, trustQuestion } from "../config/folder-trust.js";
import type { Env } from "../config/resolve-settings.js";
import { stripControls } from "../render/describe-call.js";
import type { LiveView, OutStream } from "../render/live-view.js";
import type { Colors } from "../terminal/colors.js";
import { LineReader } from "../terminal/line-reader.js";

/** What asking the user needs. */
export interface PrompterIo {
  stderr: OutStream;
  /** The answers; only touched when a question is actually asked. */
  stdin: () => Readable;
  stdinIsTTY: boolean;
  env: Env;
  /** Colours for stderr. */
  colors: Colors;
  /** A first Ctrl-C while a question waits counts as no answer. */
  signal: AbortSignal;
  /** The live view, paused while a question is on screen. */
  view(): LiveView | undefined;
  /** Says something went wrong without stopping (for a trust answer that cannot be kept). */
  warn(text: string): void;
}

/** Asks the user questions on stderr and reads the answers from stdin. */
export class Prompter {
  private reader: LineReader | undefined;

  /** @param io - Streams, colours, the abort signal and the view. */
  constructor(private readonly io: PrompterIo) {}

  /** Whether someone can answer a question (a terminal, or `GEMMA_CODER_FORCE_PROMPT=1`). */
  get interactive(): boolean {
    return this.io.stdinIsTTY || this.io.env.GEMMA_CODER_FORCE_PROMPT === "1";
  }

  /**
   * Asks one question and waits for a line.
   *
   * @param question - The question, shown in bold.
   * @returns The answer, or `undefined` at the end of input or on Ctrl-C.
   */
  ask = async (question: string): Promise<string | undefined> => {
    const { io } = this;
    io.view()?.pause();
    this.reader ??= new LineReader(io.stdin());
    io.stderr.write(io.colors.bold(question));
    // Ctrl-C while a question waits counts as no answer, so the first one stops cleanly.
    const signal = io.signal;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    const answer = await Promise.race([this.reader.next(), aborted]);
    if (onAbort) signal.removeEventListener("abort", onAbort);
    // A terminal echoes the answer; from a pipe, show it so the log reads naturally.
    if (answer === undefined || !io.stdinIsTTY) io.stderr.write(`${answer ?? ""}\n`);
    io.view()?.resume();
    return answer;
  };

  /**
   * Whether an untrusted project folder may set where requests, keys and files go:
   * `--trust-project` says yes for this run; a remembered answer stands; on a terminal
   * the user is asked once and the answer is kept in the user config; otherwise no.
   *
   * @param request - The folder and what it would set.
   * @param trustProject - `--trust-project` was given.
   * @returns Whether to trust it.
   */
  async decideTrust(request: TrustRequest, trustProject: boolean): Promise<boolean> {
    if (trustProject) return true;
    if (request.remembered !== undefined) return request.remembered;
    if (!this.interactive) return false;
    const answer = await this.ask(stripControls(trustQuestion(request)));
    if (answer === undefined) return false;
    const trusted = /^\s*y(es)?\s*$/i.test(answer);
    try {
      await rememberFolderTrust(this.io.env, request.root, trusted);
    } catch (error) {
      this.io.warn(
        `${error instanceof Error ? error.message : String(error)} The answer holds for this run only.`,
      );
    }
    return trusted;
  }

  /** Lets go of stdin. */
  close(): void {
    this.reader?.close();
  }
}
