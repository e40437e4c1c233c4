import { promises as fs } from "node:fs";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import type { Sessions } from "@gemma-coder/sessions";
import type { ExitCode } from "../exit-codes.js";
import { stripControls } from "../render/describe-call.js";
import { shellQuote } from "../render/shell-quote.js";
import type { Invocation } from "./invocation.js";
import type { RunModules } from "./run-modules.js";

/** Opens the transcript store and checkpointer, unless `--no-session`. */
export async function openSessions(
  inv: Invocation,
  modules: RunModules,
  workspace: string,
  dir: string | undefined,
): Promise<void> {
  if (!modules.sessions) return;
  const { openSessions: open } = await modules.sessions();
  inv.sessions = await open({ workspace, dir, env: inv.io.env });
}

/** The Agent options that record the run, when sessions are open. */
export function sessionOptions(inv: Invocation): {
  session?: Sessions["store"];
  checkpointer?: Sessions["checkpointer"];
} {
  return inv.sessions
    ? { session: inv.sessions.store, checkpointer: inv.sessions.checkpointer }
    : {};
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

/** The id `--resume` names (or the latest for `--continue`), or the exit code after saying why not. */
async function resolveSessionId(
  inv: Invocation,
  id: string | undefined,
): Promise<string | ExitCode> {
  const { store, dir } = inv.sessions as Sessions;
  const { report } = inv;
  if (id === undefined) {
    const latest = await store.latest();
    if (latest) return latest.sessionId;
    return report.fail(
      `there is no session to continue in ${dir}: sessions are recorded per workspace, and none was recorded for ${inv.workspace} yet (or they are kept elsewhere: see --sessions-dir).`,
      "invalid-argument",
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
    return report.fail(
      `"${id}" is not a session id. To continue the latest session with a follow-up message, use --continue ${shellQuote(id)}; \`gemma-coder sessions\` lists the sessions and their ids.`,
      "invalid-argument",
    );
  }
  try {
    return await store.resolve(id);
  } catch (error) {
    if (!GemmaCoderError.isInstance(error)) throw error;
    return report.fail(
      `${error.message} \`gemma-coder sessions\` lists the sessions of this workspace; --continue takes the latest.`,
      error.code,
    );
  }
}

/**
 * Finds the session `--resume` / `--continue` names and checks that it can be
 * continued, before any model is contacted.
 *
 * @param inv - The invocation, with its sessions open.
 * @param id - The id or prefix `--resume` gave; `undefined` for `--continue`.
 * @param message - The follow-up message, if any.
 * @returns The session id, or an exit code after explaining why not.
 */
export async function findSession(
  inv: Invocation,
  id: string | undefined,
  message: string | undefined,
): Promise<{ sessionId: string } | ExitCode> {
  const { report } = inv;
  const flag = inv.args.resume?.id === undefined ? "--continue" : "--resume";
  const sessionId = await resolveSessionId(inv, id);
  if (typeof sessionId === "number") return sessionId;
  const snapshot = await (inv.sessions as Sessions).store.snapshot(sessionId);
  if (snapshot.status === "empty" || snapshot.task === undefined) {
    return report.fail(
      `session ${sessionId} has nothing to continue: it stopped before its first run began. Start a new task instead.`,
      "invalid-argument",
    );
  }
  if (snapshot.status === "done" && (message === undefined || message.trim() === "")) {
    return report.fail(
      `session ${sessionId} already finished (the model called done: "${firstLine(snapshot.runs.at(-1)?.summary ?? "")}"). To continue it, add a follow-up message: gemma-coder ${flag}${flag === "--resume" ? ` ${sessionId}` : ""} "<what to do next>".`,
      "invalid-argument",
    );
  }
  const moved = await checkWorkspace(inv, sessionId, snapshot.workspace);
  if (moved !== undefined) return moved;
  for (const warning of snapshot.warnings) report.note(`! ${warning}`);
  const last = snapshot.runs.at(-1);
  report.note(
    `Continuing session ${sessionId}: "${firstLine(snapshot.task)}" (last run ${last ? describeStatus(last.status, last.stopReason) : "unknown"}, step ${snapshot.lastStep}).`,
  );
  return { sessionId };
}

/**
 * A session is continued in the workspace it was recorded in: elsewhere it is refused
 * while that folder exists, and continued here (with a note) when it is gone.
 */
async function checkWorkspace(
  inv: Invocation,
  sessionId: string,
  workspace: string | undefined,
): Promise<ExitCode | undefined> {
  const recorded = workspace === undefined ? undefined : path.resolve(workspace);
  if (recorded === undefined || recorded === inv.workspace) return undefined;
  const stillThere = await fs.stat(recorded).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (stillThere) {
    return inv.report.fail(
      `session ${sessionId} was recorded in ${recorded}, not in ${inv.workspace}: continue it there (gemma-coder -C ${shellQuote(recorded)} --resume ${sessionId}).`,
      "invalid-argument",
    );
  }
  inv.report.note(
    `Session ${sessionId} was recorded in ${recorded}, which no longer exists; continuing in ${inv.workspace}.`,
  );
  return undefined;
}
