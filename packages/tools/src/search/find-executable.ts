import { constants, promises as fs } from "node:fs";
import path from "node:path";

const cache = new Map<string, Promise<string | undefined>>();

/**
 * Finds a program on `PATH` without starting a shell. The answer is cached for the
 * process, since `PATH` rarely changes while an agent runs.
 *
 * @param name - The program name, e.g. `rg`.
 * @returns Its absolute path, or `undefined` when it is not installed.
 */
export function findExecutable(name: string): Promise<string | undefined> {
  let found = cache.get(name);
  if (!found) {
    found = search(name);
    cache.set(name, found);
  }
  return found;
}

async function search(name: string): Promise<string | undefined> {
  const folders = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  const suffixes =
    process.platform === "win32"
      ? (process.env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";").filter(Boolean)
      : [""];
  for (const folder of folders) {
    // A relative PATH entry would resolve against the workspace: never trust it.
    if (!path.isAbsolute(folder)) continue;
    for (const suffix of suffixes) {
      const candidate = path.join(folder, name + suffix);
      try {
        const stats = await fs.stat(candidate);
        if (!stats.isFile()) continue;
        await fs.access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // Not here; keep looking.
      }
    }
  }
  return undefined;
}
