import type { Colors } from "../terminal/colors.js";
import type { ChangePreview } from "./change-preview.js";
import { makeVisible, wrapLine } from "./visible-text.js";

/**
 * Renders a change as a coloured unified diff for the terminal: hunk headers in cyan,
 * removed lines in red, added lines in green, three lines of context. Every line has its
 * invisible characters made visible and is wrapped to `columns`, so what is shown is
 * what will be written. The diff comes from the `diff` package (Myers' algorithm).
 *
 * @param preview - The text before and after.
 * @param options - The terminal width and colours.
 * @returns The lines to print (without line ends).
 */
export async function renderChangeDiff(
  preview: ChangePreview,
  options: { columns: number; colors: Colors },
): Promise<string[]> {
  const { structuredPatch } = await import("diff");
  const patch = structuredPatch(preview.path, preview.path, preview.before, preview.after, "", "", {
    context: 3,
  });
  const { colors } = options;
  const lines: string[] = [];
  if (preview.created) lines.push(colors.dim(`(new file, ${countLines(preview.after)} lines)`));
  for (const hunk of patch.hunks) {
    lines.push(
      colors.cyan(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`),
    );
    for (const line of hunk.lines) {
      if (line.startsWith("\\")) {
        lines.push(colors.dim(line));
        continue;
      }
      const paint =
        line[0] === "+" ? colors.green : line[0] === "-" ? colors.red : (text: string) => text;
      for (const piece of wrapLine(makeVisible(line), Math.max(20, options.columns - 1))) {
        lines.push(paint(piece));
      }
    }
  }
  if (patch.hunks.length === 0) lines.push(colors.dim("(no change to the file's text)"));
  return lines;
}

function countLines(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}
