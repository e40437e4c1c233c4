import { type EvalProgress, formatDuration } from "@gemma-coder/eval";
import { stripControls } from "../render/describe-call.js";
import type { OutStream } from "../render/live-view.js";

/**
 * Shows an eval's progress on stderr: on a terminal one line rewritten in place (what is
 * running, how many are done), elsewhere (CI, a pipe) one line per finished run, so a
 * log shows each score as it comes.
 *
 * @param stderr - Where progress goes.
 * @returns The progress listener, and `end` to clear the live line.
 */
export function createEvalProgress(stderr: OutStream): {
  onProgress: (event: EvalProgress) => void;
  end: () => void;
} {
  const live = stderr.isTTY === true;
  let total = 0;
  let done = 0;
  const running = new Map<string, string>();
  let shown = false;
  const redraw = () => {
    const names = [...running.values()];
    const line = `[${done}/${total}] running ${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}`;
    const width = Math.max(20, (stderr.columns ?? 80) - 1);
    stderr.write(`\r\x1b[2K${stripControls(line).slice(0, width)}`);
    shown = true;
  };
  const onProgress = (event: EvalProgress) => {
    if (event.type === "start") {
      total = event.total;
      done = event.resumed;
      const resumed = event.resumed > 0 ? ` (${event.resumed} already recorded, resuming)` : "";
      stderr.write(`${event.total} run${event.total === 1 ? "" : "s"}${resumed}\n`);
      return;
    }
    if (event.type === "run-start") {
      running.set(event.key, `${event.task} · ${event.label}`);
      if (live) redraw();
      return;
    }
    done = event.done;
    running.delete(event.record.key);
    const r = event.record;
    const line = `[${done}/${total}] ${r.task} · ${r.label} · ${r.outcome}${r.status === "error" ? ` (error: ${r.error ?? ""})` : ""} · ${r.steps} steps · ${formatDuration(r.wallMs)}`;
    if (live) stderr.write("\r\x1b[2K");
    stderr.write(`${stripControls(line)}\n`);
    if (live && running.size > 0) redraw();
    else shown = false;
  };
  return {
    onProgress,
    end: () => {
      if (live && shown) stderr.write("\r\x1b[2K");
    },
  };
}
