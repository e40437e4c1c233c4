// Test support: a copy of the polyglot fixture in a temporary folder (tests edit it), and
// a cache folder beside it, outside the workspace. Not part of the package's API.
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The polyglot fixture: one small module per language, with calls across files. */
export const POLYGLOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "polyglot");

/** A temporary copy of the fixture. */
export interface FixtureCopy {
  /** The workspace root (a copy of the fixture). */
  root: string;
  /** A cache folder outside the workspace. */
  cache: string;
  /** Writes a file relative to the root. */
  write(rel: string, text: string | Buffer): Promise<void>;
  /** Reads a file relative to the root. */
  read(rel: string): Promise<string>;
  /** Removes everything. */
  cleanup(): Promise<void>;
}

/**
 * Copies the polyglot fixture (or starts empty) into a new temporary folder.
 *
 * @param empty - Start with an empty workspace instead.
 * @returns The copy.
 */
export async function copyFixture(empty = false): Promise<FixtureCopy> {
  const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "gemma-repomap-")));
  const root = path.join(base, "ws");
  const cache = path.join(base, "cache");
  if (empty) await fs.mkdir(root);
  else await fs.cp(POLYGLOT, root, { recursive: true });
  return {
    root,
    cache,
    write: async (rel, text) => {
      await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await fs.writeFile(path.join(root, rel), text);
    },
    read: (rel) => fs.readFile(path.join(root, rel), "utf8"),
    cleanup: () => fs.rm(base, { recursive: true, force: true }),
  };
}
