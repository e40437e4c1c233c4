import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { HeadTailBuffer } from "../text/head-tail-buffer.js";
import { cleanTerminalOutput, omissionMarker } from "../text/truncate.js";

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** The working folder. */
  cwd: string;
  /** The complete environment of the command. */
  env: NodeJS.ProcessEnv;
  /** Kill the command and everything it started after this long. */
  timeoutMs: number;
  /** Roughly how many bytes of output to keep (head and tail). */
  maxOutputBytes: number;
  /** Kills the command when it fires. */
  signal?: AbortSignal | undefined;
  /** The shell program (default: bash, else sh; `cmd.exe` on Windows). */
  shell?: string | undefined;
}

/** How a command ended. */
export interface RunCommandResult {
  /** The shell's exit code, or `null` when a signal ended it. */
  exitCode: number | null;
  /** The signal that ended the shell, if any. */
  signal: NodeJS.Signals | null;
  /** The timeout fired and the process group was killed. */
  timedOut: boolean;
  /** The abort signal fired and the process group was killed. */
  aborted: boolean;
  /** Milliseconds from start to the shell's exit. */
  durationMs: number;
  /** Standard output and error interleaved, cleaned, with a marker where bytes were left out. */
  output: string;
  /** Everything the command printed, in bytes. */
  totalBytes: number;
  /** Bytes left out of {@link output}. */
  omittedBytes: number;
}

// Every shell this process started that has not been cleaned up yet, so that an exit
// path that cannot wait for the normal clean-up (a signal, process.exit) can still kill
// their process groups (see killRunningCommands).
const running = new Set<ChildProcess>();

/**
 * Kills the process group of every command still running, synchronously, so it can be
 * called from a signal handler or a `process.on("exit")` listener. Commands end as if
 * aborted; their calls still resolve.
 *
 * @returns How many commands were killed.
 */
export function killRunningCommands(): number {
  const children = [...running];
  for (const child of children) killProcessGroup(child);
  return children.length;
}

// After the shell exits, its pipes get this long to drain. Anything still holding them
// (a daemon that left the process group) is cut off rather than waited for.
const PIPE_GRACE_MS = 300;

// long-function: the life of one child process (spawn, output caps, timeout, abort, exit) in one Promise executor whose handlers share its state
/**
 * Runs a command line through a shell in its own process group (its own session on
 * POSIX), with standard input closed. When the shell exits, on timeout and on abort, the
 * whole group is killed, grandchildren included, so nothing the command started outlives
 * the call and a background process holding the output pipe cannot make it hang. Output
 * memory is bounded: only the first and last bytes are kept.
 *
 * @param command - The command line.
 * @param options - Folder, environment, limits and abort signal.
 * @returns How the command ended and what it printed.
 */
export function runCommand(command: string, options: RunCommandOptions): Promise<RunCommandResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const [program, args, verbatim] = shellInvocation(command, options.shell);
    const windows = process.platform === "win32";
    let child: ChildProcess;
    try {
      child = spawn(program, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: !windows,
        windowsHide: true,
        windowsVerbatimArguments: verbatim,
      });
    } catch (error) {
      reject(error);
      return;
    }
    running.add(child);
    const headBytes = Math.floor(options.maxOutputBytes * 0.4);
    const buffer = new HeadTailBuffer(headBytes, options.maxOutputBytes - headBytes);
    const collect = (chunk: Buffer): void => buffer.push(chunk);
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);

    let timedOut = false;
    let aborted = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
    let grace: NodeJS.Timeout | undefined;

    const killGroup = (): void => killProcessGroup(child);
    const cleanUp = (): void => {
      running.delete(child);
      clearTimeout(timer);
      clearTimeout(grace);
      options.signal?.removeEventListener("abort", onAbort);
      killGroup();
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      cleanUp();
      const { head, tail, omittedBytes } = buffer.read();
      const output =
        omittedBytes > 0
          ? `${cleanTerminalOutput(head)}\n${omissionMarker(omittedBytes, "bytes", "redirect the output to a file and search it")}\n${cleanTerminalOutput(tail)}`
          : cleanTerminalOutput(head);
      const ended = exit?.at ?? performance.now();
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        timedOut,
        aborted,
        durationMs: Math.round(ended - started),
        output: output.replace(/\n+$/, ""),
        totalBytes: buffer.totalBytes,
        omittedBytes,
      });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });

    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      cleanUp();
      reject(error);
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal, at: performance.now() };
      // Background jobs die with the command: nothing it started may keep running.
      killGroup();
      grace = setTimeout(finish, PIPE_GRACE_MS);
    });
    child.on("close", finish);
  });
}

function shellInvocation(
  command: string,
  shell: string | undefined,
): [program: string, args: string[], verbatim: boolean] {
  if (process.platform === "win32") {
    const program = shell ?? process.env.ComSpec ?? "cmd.exe";
    if (/(?:^|[\\/])(?:pwsh|powershell)(?:\.exe)?$/i.test(program)) {
      return [program, ["-NoProfile", "-NonInteractive", "-Command", command], false];
    }
    return [program, ["/d", "/s", "/c", `"${command}"`], true];
  }
  const program = shell ?? (existsSync("/bin/bash") ? "/bin/bash" : "/bin/sh");
  // Two pipes lose the order between output and errors; sending stderr into stdout for
  // the whole script keeps it, as in a terminal. On the same line, so the line numbers in
  // the shell's own messages stay those of the command.
  const script = /(?:^|\/)(?:ba|da|z|k|a)?sh$/.test(program) ? `exec 2>&1; ${command}` : command;
  return [program, ["-c", script], false];
}

/**
 * Kills a process and every process in its group. On POSIX the child leads its own group
 * (it was spawned detached); on Windows `taskkill /T` walks the process tree.
 *
 * @param child - The spawned process (a shell, an MCP server), started as a group leader.
 */
export function killProcessGroup(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (process.platform === "win32") {
    if (child.exitCode === null && child.signalCode === null) {
      spawn("taskkill", ["/pid", String(pid), "/T", "/F"], { stdio: "ignore", windowsHide: true })
        .on("error", () => child.kill())
        .unref();
    }
    return;
  }
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is already gone.
  }
}
