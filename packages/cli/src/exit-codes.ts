/**
 * The exit codes of the `gemma-coder` command. Scripts can rely on them: they are part
 * of the CLI's contract.
 */
export const EXIT_CODES = Object.freeze({
  /** The model called `done`. */
  done: 0,
  /** The run failed, or stopped at a limit (steps, time, repeated or unusable replies). */
  failed: 1,
  /** A usage or configuration error: nothing was run. */
  usage: 2,
  /** Interrupted with Ctrl-C (128 + SIGINT). */
  interrupted: 130,
  /** Stopped by SIGHUP, the terminal went away (128 + SIGHUP). */
  hangUp: 129,
  /** Stopped by SIGTERM (128 + SIGTERM). */
  terminated: 143,
} as const);

/** One of the {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
