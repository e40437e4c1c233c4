import { existsSync } from "node:fs";
import { GemmaCoderError } from "@gemma-coder/core/basics";
import type { IndexStats } from "@gemma-coder/repomap/map";
import type { CliArgs } from "../args.js";
import { type Env, resolveSettings } from "../config/resolve-settings.js";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";
import { stripControls } from "../render/describe-call.js";
import type { OutStream } from "../render/live-view.js";
import { makeVisible } from "../render/visible-text.js";
import { colorsFor } from "../terminal/colors.js";

/** Where `gemma-coder map` reads and writes. */
export interface MapCommandIo {
  /** The workspace (from `--cwd`). */
  workspace: string;
  stdout: OutStream;
  stderr: OutStream;
  env: Env;
}

/**
 * Runs `gemma-coder map ["task"] [--tokens N] [--focus PATH]...`: prints the repository
 * map an agent would get for the task, fitted to the budget (`--tokens`, else the
 * config's `repoMap` number, else an eighth of the configured context window, else
 * 1,024). No model is needed. With `--verbose`, what was parsed, reused and skipped goes
 * to stderr; with `--json`, one JSON object goes to stdout instead of the map.
 *
 * @param args - The parsed command line (`command` is `map`).
 * @param io - Streams, environment and the workspace.
 * @returns The exit code: 0, or 2 for a bad focus path or config.
 */
export async function runMapCommand(args: CliArgs, io: MapCommandIo): Promise<ExitCode> {
  const colors = colorsFor(io.stderr, io.env);
  try {
    const settings = await resolveSettings(args, io.env, io.workspace);
    // The map alone: the symbol tools and the edit check would load much more.
    const { RepoMap, defaultMapTokens } = await import("@gemma-coder/repomap/map");
    const map = new RepoMap({ root: io.workspace, env: io.env });
    const focus = await focusPaths(map.root, args.focus);
    const budget =
      args.tokens ??
      (typeof settings.repoMap === "number" ? settings.repoMap : undefined) ??
      defaultMapTokens(settings.contextWindow ?? 8192);
    const started = performance.now();
    const rendered = await map.render({ task: args.target ?? "", focus, maxTokens: budget });
    const stats = map.lastRefresh as IndexStats;
    const ms = Math.round(performance.now() - started);
    const skipped = map.skippedFiles();
    if (args.json) {
      io.stdout.write(`${JSON.stringify({ ...rendered, budget, ms, stats, skipped })}\n`);
    } else if (rendered.text !== "") {
      // Signatures and names are the repository's text: an escape sequence or a bidi
      // override is shown spelled out (`\x1b`, `\u202e`), never acted on by the terminal.
      io.stdout.write(`${makeVisible(rendered.text)}\n`);
    }
    if (args.verbose) {
      io.stderr.write(
        `${colors.dim(`map: ${stats.files} files (${stats.parsed} parsed, ${stats.unchanged + stats.rehashed} from the cache, ${skipped.length} listed by name only) in ${ms} ms; ${rendered.tokens} of ${budget} tokens, ${rendered.symbols} definitions in ${rendered.files} files${stats.truncated ? "; stopped at the file limit" : ""}`)}\n`,
      );
      for (const { file, reason } of skipped) {
        io.stderr.write(`${colors.dim(`  ${makeVisible(file)}: ${reason}`)}\n`);
      }
    }
    return EXIT_CODES.done;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${colors.red("gemma-coder:")} ${stripControls(message)}\n`);
    return GemmaCoderError.isInstance(error) &&
      (error.code === "invalid-argument" || error.code === "config")
      ? EXIT_CODES.usage
      : EXIT_CODES.failed;
  }
}

/** The `--focus` paths, workspace-relative; the tools load only when there are some. */
async function focusPaths(root: string, files: readonly string[]): Promise<string[]> {
  if (files.length === 0) return [];
  const { resolveWorkspacePath } = await import("@gemma-coder/tools");
  const focus: string[] = [];
  for (const file of files) {
    let resolved: { absolute: string; relative: string };
    try {
      resolved = await resolveWorkspacePath(root, file);
    } catch (error) {
      throw new GemmaCoderError(`--focus ${file}: ${(error as Error).message}`, {
        code: "invalid-argument",
      });
    }
    // A typo would otherwise centre the map on nothing, silently.
    if (!existsSync(resolved.absolute)) {
      throw new GemmaCoderError(`--focus ${file}: no such file or folder in the workspace.`, {
        code: "invalid-argument",
      });
    }
    focus.push(resolved.relative);
  }
  return focus;
}
