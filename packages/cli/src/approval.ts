import type { ApprovalDecision, ApprovalRequest } from "@gemma-coder/tools";
import pc from "picocolors";
import { renderChangeDiff } from "./render/change-diff.js";
import { previewChange } from "./render/change-preview.js";
import { describeCall } from "./render/describe-call.js";
import { makeVisible, wrapLine } from "./render/visible-text.js";
import type { Colors } from "./terminal/colors.js";

/** The reason given to the model (and shown) when there is no one to ask. */
export const NO_TERMINAL_REASON =
  "not approved: run with --yes to allow changes without a terminal";

/** How changes are approved. */
export type ApprovalMode =
  /** `--yes`: everything is allowed. */
  | "allow-all"
  /** A person answers each question (a terminal). */
  | "ask"
  /** Nobody to ask and no `--yes`: every change is refused. */
  | "refuse";

/** The size of the terminal the question is shown on. */
export interface TerminalSize {
  /** Characters per line; 80 when unknown. */
  columns?: number | undefined;
  /** Lines; 24 when unknown. */
  rows?: number | undefined;
}

/** Options of {@link createApprover}. */
export interface ApproverOptions {
  /** The mode. */
  mode: ApprovalMode;
  /**
   * Asks a question and resolves with the answer, or `undefined` when the input ended.
   * Used in `ask` mode.
   */
  ask?: (question: string) => Promise<string | undefined>;
  /** Told of every refusal, so the view can say why nothing changed. */
  onRefused?: (request: ApprovalRequest, reason: string) => void;
  /** The workspace, where the files a change would touch are read for its diff. */
  root?: string;
  /** The terminal's size, read at each question (it may have been resized). */
  terminalSize?: () => TerminalSize;
  /** Colours for the diff; none by default. */
  colors?: Colors;
}

/** A question, and the whole diff when the question shows only part of it. */
interface Question {
  text: string;
  answers: string;
  fullDiff?: string[];
}

/**
 * Builds the approval question: the call's header, the whole command for `run_shell`
 * (wrapped to the terminal, nothing cut, invisible characters spelled out), and for a
 * file change a coloured diff cut to fit the terminal, with `d` to see all of it.
 *
 * @param request - The call to approve.
 * @param options - Workspace, terminal size and colours.
 * @returns The question.
 */
export async function describeApproval(
  request: ApprovalRequest,
  options: Pick<ApproverOptions, "root" | "terminalSize" | "colors">,
): Promise<Question> {
  const size = options.terminalSize?.() ?? {};
  const columns = Math.max(20, size.columns || 80);
  const rows = Math.max(10, size.rows || 24);
  const colors = options.colors ?? pc.createColors(false);
  const args = (request.input ?? {}) as Record<string, unknown>;
  const answers = "[y]es/[n]o/[a]lways";
  if (request.tool === "run_shell") {
    const command = typeof args.command === "string" ? args.command : "";
    return { text: ["Allow run_shell?", ...commandLines(command, columns)].join("\n"), answers };
  }
  const header = wrapLine(
    makeVisible(`Allow ${describeCall(request.tool, args, Number.MAX_SAFE_INTEGER)}?`),
    columns,
  ).join("\n    ");
  const preview = options.root ? await previewChange(options.root, request.tool, args) : undefined;
  if (!preview) return { text: header, answers };
  const diff = await renderChangeDiff(preview, { columns, colors });
  const room = Math.max(5, rows - 6);
  if (diff.length <= room) return { text: [header, ...diff].join("\n"), answers };
  const shown = diff.slice(0, room - 1);
  const more = colors.dim(
    `… ${diff.length - shown.length} more lines: answer d to see the whole diff`,
  );
  return {
    text: [header, ...shown, more].join("\n"),
    answers: `${answers}/[d]iff`,
    fullDiff: diff,
  };
}

/** A command as `  $ first line`, `  > next line`, each wrapped with a 4-space indent. */
function commandLines(command: string, columns: number): string[] {
  const out: string[] = [];
  for (const [index, line] of command.split("\n").entries()) {
    const pieces = wrapLine(makeVisible(line), columns - 4);
    out.push(`${index === 0 ? "  $ " : "  > "}${pieces[0] ?? ""}`);
    for (const piece of pieces.slice(1)) out.push(`    ${piece}`);
  }
  return out;
}

/**
 * Creates the approval hook handed to the tools: in `ask` mode it asks
 * `Allow write_file src/a.py?` with the diff (or the whole command for `run_shell`) and
 * takes `y`es, `n`o, `a`lways (that tool for the rest of the run) or `d` (print the
 * whole diff, then ask again); in `refuse` mode it denies with {@link NO_TERMINAL_REASON}
 * rather than waiting on a prompt no one will answer.
 *
 * @param options - The mode, the question function, the workspace and the terminal.
 * @returns The hook.
 */
export function createApprover(
  options: ApproverOptions,
): (request: ApprovalRequest) => Promise<ApprovalDecision> {
  const always = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  const refuse = (request: ApprovalRequest, reason: string): ApprovalDecision => {
    options.onRefused?.(request, reason);
    return { allow: false, reason };
  };
  const askAbout = async (request: ApprovalRequest): Promise<string | undefined> => {
    const ask = options.ask as NonNullable<ApproverOptions["ask"]>;
    if (always.has(request.tool)) return "a";
    const question = await describeApproval(request, options);
    let answer = await ask(`${question.text}\n${question.answers} `);
    while (question.fullDiff && answer?.trim().toLowerCase() === "d") {
      answer = await ask(`${question.fullDiff.join("\n")}\n${question.answers} `);
    }
    return answer;
  };
  return async (request) => {
    if (options.mode === "allow-all" || always.has(request.tool)) return true;
    if (options.mode === "refuse" || !options.ask) return refuse(request, NO_TERMINAL_REASON);
    // One question at a time, even if calls ever overlap.
    const answer = queue.then(() => askAbout(request));
    queue = answer.catch(() => undefined);
    const text = (await answer)?.trim().toLowerCase();
    if (text === "y" || text === "yes") return true;
    if (text === "a" || text === "always") {
      always.add(request.tool);
      return true;
    }
    if (text === undefined)
      return refuse(request, "not approved: the input ended before an answer");
    return refuse(request, "the user said no");
  };
}
