/** A zero-width space: invisible, and it stops the workbench's link pattern from matching. */
const ZERO_WIDTH_SPACE = "\u200b";

/**
 * A notification message that VS Code shows as plain text. The workbench turns
 * `[label](https://…)`, `[label](command:…)` and `[label](file:…)` in a notification's
 * message into a link that shows only the label and, when clicked, opens the target with
 * commands allowed. An approval question quotes text the model wrote (the command, the
 * path), so a command could hide its real tail behind a harmless label, or carry a link
 * that runs a VS Code command. A zero-width space between `]` and `(` keeps every visible
 * character and leaves no link.
 *
 * @param text - The message, with text from the model in it.
 * @returns The message, safe to pass to `showInformationMessage`.
 */
export function notificationText(text: string): string {
  return text.replace(/\]\(/g, `]${ZERO_WIDTH_SPACE}(`);
}

/**
 * The longest command a notification quotes whole. VS Code cuts a notification's message
 * after 1000 characters and shows it on one line, so a longer command, or one of several
 * lines, could hide its end.
 */
export const MAX_QUOTED_COMMAND = 400;

/** How a shell command is put to the person. */
export interface CommandQuestion {
  /** The notification's message (not yet passed through {@link notificationText}). */
  message: string;
  /** Whether the whole command must be shown in a read-only editor next to the question. */
  showInEditor: boolean;
}

/**
 * The question for a shell command: the whole command in the notification when it is one
 * short line; else its start, its size, and the whole command in a read-only editor.
 *
 * @param command - The command exactly as it would run.
 * @returns The question.
 */
export function commandQuestion(command: string): CommandQuestion {
  const lines = command.split(/\r\n|\r|\n/).length;
  if (lines === 1 && command.length <= MAX_QUOTED_COMMAND) {
    return { message: `gemma-coder wants to run: ${command}`, showInEditor: false };
  }
  const start = command.replace(/\s+/g, " ").slice(0, 80);
  return {
    message: `gemma-coder wants to run a command of ${lines} line${lines === 1 ? "" : "s"} and ${command.length} characters, shown whole in the editor; it begins: ${start}…`,
    showInEditor: true,
  };
}
