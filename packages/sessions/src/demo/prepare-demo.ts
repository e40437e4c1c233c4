import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GemmaCoderError, type TranscriptRecord } from "@gemma-coder/core";
import { parseTranscript } from "@gemma-coder/core/internal";
import type { ReplayModel } from "@gemma-coder/core/testing";
import { DEMO_FILES, DEMO_TASK, DEMO_TRANSCRIPT } from "./demo-assets.js";

/** What the demo shows, so no one mistakes the replay for a live model. */
export const DEMO_LABEL =
  "Demo: a recorded session replayed on a scratch copy of a small example repository. No model is running; the tools and their results are real.";

/** Options of {@link prepareDemo}. */
export interface DemoOptions {
  /** Stream each recorded reply in pieces of this many characters. Default 6. */
  chunkSize?: number;
  /** Wait this long before each piece, in milliseconds. Default 15 (a brisk typing pace). */
  delayMs?: number;
}

/** A demo ready to run: a scratch repository and a model that replays the recording. */
export interface Demo {
  /** The scratch copy of the example repository: the workspace for the tools. */
  dir: string;
  /** The task to give the agent (the recorded one). */
  task: string;
  /** A sentence saying this is a replay, to show before the run. */
  label: string;
  /** The recorded transcript (JSONL). */
  transcript: string;
  /** Its records. */
  records: TranscriptRecord[];
  /** The provider that replays the recorded replies at a readable pace. */
  provider: ReplayModel;
  /** Removes the scratch copy (only when `prepareDemo` created its folder). */
  cleanup(): Promise<void>;
}

/**
 * Prepares `gemma-coder demo`: copies the example repository (a tiny JavaScript
 * library whose `paginate()` has an off-by-one bug, with tests for `node --test`) to a
 * scratch folder and returns a replay model of a session recorded for the purpose.
 * Running an agent with that provider, the default tools rooted at `dir` and `task`
 * reproduces the session through the real tools: it runs the failing tests, reads
 * the code, fixes it and runs the tests again.
 *
 * @param targetDir - Where to put the copy: a folder that does not exist or is empty.
 *   Default: a new folder under the system's temporary folder.
 * @param options - The replay's pace.
 * @returns The demo.
 * @throws GemmaCoderError `invalid-argument` when `targetDir` is not empty.
 *
 * @example
 * ```ts
 * const demo = await prepareDemo();
 * console.log(demo.label);
 * const agent = new Agent({ provider: demo.provider, tools: createTools({ root: demo.dir }), workspace: demo.dir });
 * await agent.run(demo.task);
 * ```
 */
export async function prepareDemo(targetDir?: string, options: DemoOptions = {}): Promise<Demo> {
  let dir: string;
  let owned = false;
  if (targetDir === undefined) {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "gemma-coder-demo-"));
    owned = true;
  } else {
    dir = path.resolve(targetDir);
    const existing = await fs.readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    if (existing.length > 0) {
      throw new GemmaCoderError(`The demo needs an empty folder; ${dir} is not empty.`, {
        code: "invalid-argument",
      });
    }
  }
  for (const [rel, text] of Object.entries(DEMO_FILES)) {
    const file = path.join(dir, ...rel.split("/"));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
  }
  const { records } = parseTranscript(DEMO_TRANSCRIPT, "The demo transcript");
  // Loaded here, not at the top: the package's main entry must not pull in core's testing
  // entry point for apps that never run the demo.
  const { createReplayModel } = await import("@gemma-coder/core/testing");
  return {
    dir,
    task: DEMO_TASK,
    label: DEMO_LABEL,
    transcript: DEMO_TRANSCRIPT,
    records,
    provider: createReplayModel(records, {
      chunkSize: options.chunkSize ?? 6,
      delayMs: options.delayMs ?? 15,
      model: "recorded demo session",
    }),
    async cleanup() {
      if (owned) await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
