import type { z } from "zod";

/**
 * Turns a zod validation error into a short message for the model that names each
 * field, says what was expected, and repeats the tool's argument shape.
 *
 * @param toolName - The tool that was called.
 * @param error - The zod error from `safeParse`.
 * @param usage - The tool's one-line description (name and argument shape).
 * @returns The feedback text.
 */
export function formatValidationError(toolName: string, error: z.ZodError, usage: string): string {
  const problems = error.issues.slice(0, 5).map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join(".") : "args";
    // zod's messages already say what was expected and what arrived ("expected string, received undefined").
    const detail = issue.message
      .replace(/^Invalid input: /, "")
      .replace(/received undefined$/, "but it is missing");
    return `${field}: ${detail}`;
  });
  return `Invalid arguments for ${toolName}: ${problems.join("; ")}.\nUsage: ${usage}`;
}
