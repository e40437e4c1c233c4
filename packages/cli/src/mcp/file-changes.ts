import { readFileSync } from "node:fs";
import path from "node:path";
import type { Agent } from "@gemma-coder/core";

/** The tools whose `path` argument names the one file they change. */
const FILE_TOOLS = new Set(["write_file", "edit_file"]);

/** The longest diff returned for one file, in characters; a longer one keeps its start. */
const MAX_DIFF_CHARS = 20_000;

/** One file a run changed, with its unified diff. */
export interface ChangedFile {
  /** The path relative to the workspace, with forward slashes. */
  path: string;
  /** `created`, `modified` or `deleted`. */
  change: "created" | "modified" | "deleted";
  /** A unified diff of the change (three lines of context). */
  diff: string;
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/**
 * Watches a run's file tools and reports which files changed, with a diff. The text
 * before is read when the call is announced, which is before the tool runs (and before
 * its approval), so it is the state the change started from.
 */
export class FileChanges {
  private readonly before = new Map<string, string | null>();

  /**
   * Starts watching an agent's calls.
   *
   * @param agent - The agent.
   * @param root - The workspace root the tools are confined to.
   */
  constructor(
    agent: Agent,
    private readonly root: string,
  ) {
    agent.on("tool-call", ({ name, args }) => {
      if (!FILE_TOOLS.has(name) || typeof args.path !== "string") return;
      const file = path.resolve(root, args.path);
      if (!this.before.has(file)) this.before.set(file, readOrNull(file));
    });
  }

  /**
   * The files whose text differs from before the run, each with its diff.
   *
   * @returns The changes, sorted by path.
   */
  async list(): Promise<ChangedFile[]> {
    const { createTwoFilesPatch } = await import("diff");
    const changes: ChangedFile[] = [];
    for (const [file, before] of this.before) {
      const after = readOrNull(file);
      if (after === before) continue;
      const name = path.relative(this.root, file).split(path.sep).join("/");
      const diff = createTwoFilesPatch(
        before === null ? "/dev/null" : `a/${name}`,
        after === null ? "/dev/null" : `b/${name}`,
        before ?? "",
        after ?? "",
        "",
        "",
        { context: 3 },
      );
      const body = diff.split("\n").slice(1).join("\n");
      changes.push({
        path: name,
        change: before === null ? "created" : after === null ? "deleted" : "modified",
        diff:
          body.length > MAX_DIFF_CHARS ? `${body.slice(0, MAX_DIFF_CHARS)}\n[diff cut]\n` : body,
      });
    }
    return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
