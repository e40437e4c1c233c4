/**
 * The `gemma-coder` command. The package's bin is the usual way in; `main` runs the same
 * command from code (with your own streams and environment) and resolves with its exit
 * code.
 *
 * @packageDocumentation
 */
export { EXIT_CODES, type ExitCode } from "./exit-codes.js";
export { HELP_TEXT } from "./help.js";
export { type MainOptions, main } from "./main.js";
export type { OutStream } from "./render/live-view.js";
