import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { DEFAULT_RULES } from "./default-rules.js";
import { nodeRulebookHost } from "./node-rulebook-host.js";

export { nodeRulebookHost };

/** How a rulebook may be read: where it must live and how much of it to read. */
export interface RulebookReadLimits {
  /**
   * The folder the file's real path (links resolved) must stay inside: the repository
   * root, or the workspace outside a repository. `undefined` for a file the user named.
   */
  root?: string | undefined;
  /** Most bytes to read from the start of the file. */
  maxBytes: number;
}

/**
 * The file access the rulebook loader needs. It is injected so the core runs in any
 * JavaScript runtime; {@link nodeRulebookHost} provides it on Node.
 */
export interface RulebookHost {
  /**
   * Reads a UTF-8 file, or returns `undefined` when it does not exist. A host must read
   * it the way the tools read the workspace: refuse (throw) a file whose real path leaves
   * `limits.root`, anything but a regular file, and read at most `limits.maxBytes` bytes
   * (checked on the opened file, before reading), so a hostile repository's rulebook
   * cannot leak a file from outside it, hang on a FIFO or fill memory from a device.
   */
  readText(path: string, limits?: RulebookReadLimits): Promise<string | undefined>;
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

function capText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  // Cut at a line boundary so no rule is left half-stated.
  const cut = text.lastIndexOf("\n", maxChars);
  return { text: text.slice(0, cut > 0 ? cut : maxChars), truncated: true };
}

function skipReason(error: unknown): string {
  if (GemmaCoderError.isInstance(error) && error.code === "rulebook") return error.message;
  return `it cannot be read (${error instanceof Error ? error.message : String(error)}).`;
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
 * A repository is untrusted: a rulebook whose real path leaves the repository (a link
 * to `/proc/self/environ`, to a file in the home folder), that is not a regular file (a
 * FIFO, a device, a folder) or that cannot be read is skipped with a warning naming why,
 * and the search goes on to the next candidate. At most about `4 × maxChars` bytes are
 * read from any file. An explicit `file` is held to the same file-type and size checks
 * but may live anywhere, since the user named it.
 *
 * @param options - The workspace, an optional explicit file, the size cap and file access.
 * @returns The rulebook to use.
 * @throws GemmaCoderError with code `rulebook` when an explicit file cannot be read or is
 *   not a regular file.
 */
export async function loadRulebook(options: LoadRulebookOptions): Promise<Rulebook> {
  const host = options.host ?? (await nodeRulebookHost());
  const maxChars = options.maxChars ?? DEFAULT_RULEBOOK_MAX_CHARS;
  // Enough bytes for maxChars characters of any script (UTF-8 uses at most 4 per
  // character) plus one more, so a longer file is seen to be longer.
  const maxBytes = maxChars * 4 + 4;
  const skipped: string[] = [];
  const finish = (source: "project" | "file", path: string, raw: string): Rulebook => {
    const { text, truncated } = capText(raw.replace(/^\uFEFF/, "").trim(), maxChars);
    const size =
      raw.length >= maxBytes / 4 ? `more than ${maxChars} characters` : `${raw.length} characters`;
    const warnings = truncated
      ? [
          `${path} has ${size}; only the first ${text.length} are used. Small models work best with short rulebooks.`,
        ]
      : [];
    return { source, path, text, truncated, warnings: [...skipped, ...warnings] };
  };

  if (options.file !== undefined) {
    const path = host.resolve(options.file);
    let raw: string | undefined;
    try {
      raw = await host.readText(path, { maxBytes });
    } catch (cause) {
      if (GemmaCoderError.isInstance(cause) && cause.code === "rulebook") throw cause;
      throw new GemmaCoderError(`Cannot read the rulebook ${path}.`, { code: "rulebook", cause });
    }
    if (raw === undefined) {
      throw new GemmaCoderError(`The rulebook ${path} does not exist.`, { code: "rulebook" });
    }
    return finish("file", path, raw);
  }

  const folders = await searchFolders(host.resolve(options.workspace), host);
  // The top of the search (the repository root, or the workspace outside a repository)
  // is the confinement root: a rulebook is read like a tool reads a file.
  const root = folders.at(-1) as string;
  for (const dir of folders) {
    for (const name of RULEBOOK_FILE_NAMES) {
      const path = host.join(dir, name);
      let raw: string | undefined;
      try {
        raw = await host.readText(path, { root, maxBytes });
      } catch (error) {
        // A refused or unreadable rulebook is skipped, and the user told why.
        skipped.push(`The rulebook ${path} was skipped: ${skipReason(error)}`);
        continue;
      }
      if (raw !== undefined && raw.trim() !== "") return finish("project", path, raw);
    }
  }
  return {
    source: "default",
    text: DEFAULT_RULES.trim(),
    truncated: false,
    warnings: [...skipped],
  };
}
