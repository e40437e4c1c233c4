import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { importNodeBuiltin } from "../runtime/node-builtin.js";
import { DEFAULT_RULES } from "./default-rules.js";

/**
 * The file access the rulebook loader needs. It is injected so the core runs in any
 * JavaScript runtime; {@link nodeRulebookHost} provides it on Node.
 */
export interface RulebookHost {
  /** Reads a UTF-8 file, or returns `undefined` when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** Tells whether a path exists (file or folder). */
  exists(path: string): Promise<boolean>;
  /** Joins path segments. */
  join(...parts: string[]): string;
  /** The parent folder of a path (the path itself at the root). */
  dirname(path: string): string;
  /** Makes a path absolute. */
  resolve(path: string): string;
}

/**
 * Rulebook file names in order of precedence within one folder. The nearest folder
 * wins over its parents; within a folder the first name in this list wins.
 */
export const RULEBOOK_FILE_NAMES: readonly string[] = [
  "AGENTS.md",
  "AGENT.md",
  "CLAUDE.md",
  "GEMINI.md",
  ".github/copilot-instructions.md",
  ".cursorrules",
  "CONVENTIONS.md",
];

/** The default cap on rulebook size, in characters (about 2,000 tokens). */
export const DEFAULT_RULEBOOK_MAX_CHARS = 8_000;

/** A loaded rulebook. */
export interface Rulebook {
  /** Where the text came from. */
  source: "project" | "file" | "default";
  /** The file read, for `project` and `file`. */
  path?: string;
  /** The rules text that goes into the system prompt. */
  text: string;
  /** Whether the file was longer than the cap and was cut. */
  truncated: boolean;
  /** Things the user should know (e.g. the file was truncated). */
  warnings: string[];
}

/** Options of {@link loadRulebook}. */
export interface LoadRulebookOptions {
  /** The workspace root the agent works in; the search starts here. */
  workspace: string;
  /** An explicit rulebook file (e.g. the CLI's `--rules`); when given, no search happens. */
  file?: string | undefined;
  /** The cap on the rules text, in characters. */
  maxChars?: number | undefined;
  /** File access; defaults to {@link nodeRulebookHost}. */
  host?: RulebookHost | undefined;
}

/**
 * The rulebook host for Node.js, on `node:fs` and `node:path`. Imported lazily so
 * the core stays loadable in runtimes without them.
 *
 * @returns A {@link RulebookHost}.
 */
export async function nodeRulebookHost(): Promise<RulebookHost> {
  // Imported at run time, invisible to bundlers: elsewhere pass `rulebookHost` instead.
  const needsIt = "The rulebook search (pass a `rulebookHost` or `rules` outside Node)";
  const fs = await importNodeBuiltin<typeof import("node:fs/promises")>(
    "node:fs/promises",
    needsIt,
  );
  const path = await importNodeBuiltin<typeof import("node:path")>("node:path", needsIt);
  return {
    async readText(file) {
      try {
        return await fs.readFile(file, "utf8");
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
        throw error;
      }
    },
    async exists(file) {
      try {
        await fs.stat(file);
        return true;
      } catch {
        return false;
      }
    },
    join: (...parts) => path.join(...parts),
    dirname: (file) => path.dirname(file),
    resolve: (file) => path.resolve(file),
  };
}

function capText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  // Cut at a line boundary so no rule is left half-stated.
  const cut = text.lastIndexOf("\n", maxChars);
  return { text: text.slice(0, cut > 0 ? cut : maxChars), truncated: true };
}

/** Folders from the workspace up to the repository root (the nearest folder holding `.git`). */
async function searchFolders(workspace: string, host: RulebookHost): Promise<string[]> {
  const chain: string[] = [];
  let dir = workspace;
  for (;;) {
    chain.push(dir);
    if (await host.exists(host.join(dir, ".git"))) return chain;
    const parent = host.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // Not inside a repository: only the workspace itself is the project's.
  return [workspace];
}

/**
 * Finds the project's rulebook. Search order: an explicit `file`; else, from the
 * workspace folder up to the repository root, the first folder that holds one of
 * {@link RULEBOOK_FILE_NAMES} (in that order); else the default rulebook shipped with
 * the SDK. Text longer than `maxChars` is cut at a line boundary with a warning.
 *
 * @param options - The workspace, an optional explicit file, the size cap and file access.
 * @returns The rulebook to use.
 * @throws GemmaCoderError with code `rulebook` when an explicit file cannot be read.
 */
export async function loadRulebook(options: LoadRulebookOptions): Promise<Rulebook> {
  const host = options.host ?? (await nodeRulebookHost());
  const maxChars = options.maxChars ?? DEFAULT_RULEBOOK_MAX_CHARS;
  const finish = (source: "project" | "file", path: string, raw: string): Rulebook => {
    const { text, truncated } = capText(raw.replace(/^\uFEFF/, "").trim(), maxChars);
    const warnings = truncated
      ? [
          `${path} has ${raw.length} characters; only the first ${text.length} are used. Small models work best with short rulebooks.`,
        ]
      : [];
    return { source, path, text, truncated, warnings };
  };

  if (options.file !== undefined) {
    const path = host.resolve(options.file);
    let raw: string | undefined;
    try {
      raw = await host.readText(path);
    } catch (cause) {
      throw new GemmaCoderError(`Cannot read the rulebook ${path}.`, { code: "rulebook", cause });
    }
    if (raw === undefined) {
      throw new GemmaCoderError(`The rulebook ${path} does not exist.`, { code: "rulebook" });
    }
    return finish("file", path, raw);
  }

  for (const dir of await searchFolders(host.resolve(options.workspace), host)) {
    for (const name of RULEBOOK_FILE_NAMES) {
      const path = host.join(dir, name);
      const raw = await host.readText(path);
      if (raw !== undefined && raw.trim() !== "") return finish("project", path, raw);
    }
  }
  return { source: "default", text: DEFAULT_RULES.trim(), truncated: false, warnings: [] };
}
