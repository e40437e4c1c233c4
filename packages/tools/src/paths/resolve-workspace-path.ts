import { promises as fs } from "node:fs";
import path from "node:path";
import { ToolError } from "@gemma-coder/core";
import { toToolError } from "../fs/to-tool-error.js";

/** A path the model gave, checked and resolved inside the workspace. */
export interface ResolvedWorkspacePath {
  /** The absolute path with every symbolic link resolved; always inside {@link root}. */
  readonly absolute: string;
  /** The path relative to the workspace, with `/` separators; `.` for the root itself. */
  readonly relative: string;
  /** The workspace root, absolute and with symbolic links resolved. */
  readonly root: string;
}

/** Options of {@link resolveWorkspacePath}. */
export interface ResolveWorkspacePathOptions {
  /** The path will be written to: paths inside `.git/` and `.gemma-coder/` are refused as well. */
  readonly write?: boolean;
  /**
   * `keep` resolves the parent folders but not a symbolic link as the last part, for
   * callers that act on the link itself (remove it, put one back). Default `follow`.
   */
  readonly finalLink?: "follow" | "keep";
}

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const MAX_PATH_LENGTH = 4096;
const MAX_LINK_HOPS = 40;

/**
 * Resolves a path the model wrote against the workspace root and refuses anything that
 * could reach outside it. The check runs on the real path, after every symbolic link is
 * resolved, including symlinked parent folders and a dangling link as the last part, so a
 * link planted earlier (for instance by a shell command) cannot redirect a later write.
 *
 * Refused: `..` escapes, absolute paths outside the root, `~`, NUL and other control
 * characters, sibling folders that merely share the root's name as a prefix, links that
 * point outside, and (with `write`) anything inside `.git/`, inside the git folder a
 * `.git` file points to within the workspace, or inside the agent's own state folder
 * `.gemma-coder/`.
 *
 * @param root - The workspace root (absolute, or relative to the current directory).
 * @param input - The path as the model wrote it, relative to the root or absolute.
 * @param options - Whether the path is about to be written.
 * @returns The resolved path.
 * @throws ToolError with a message for the model when the path is refused.
 */
export async function resolveWorkspacePath(
  root: string,
  input: string,
  options: ResolveWorkspacePathOptions = {},
): Promise<ResolvedWorkspacePath> {
  if (typeof input !== "string") throw new ToolError("The path must be a string.");
  const shown = JSON.stringify(input.length > 200 ? `${input.slice(0, 200)}...` : input);
  if (CONTROL_CHARACTER.test(input)) {
    throw new ToolError(`The path ${shown} contains a control character; use a plain path.`);
  }
  if (input.length > MAX_PATH_LENGTH) throw new ToolError("The path is too long.");
  if (input.startsWith("~")) {
    throw new ToolError(
      `The path ${shown} starts with "~": home folders are outside the workspace. Use a path relative to the workspace root.`,
    );
  }
  const rootGiven = path.resolve(root);
  let realRoot: string;
  try {
    realRoot = await fs.realpath(rootGiven);
  } catch (error) {
    throw new ToolError("The workspace root folder does not exist any more.", { cause: error });
  }
  const outside = (): ToolError =>
    new ToolError(
      `The path ${shown} is outside the workspace. Use a path relative to the workspace root.`,
    );

  // Lexical check first: `..`, absolute paths and look-alike sibling folders.
  let relative: string | undefined;
  const candidate = input === "" ? "." : input;
  for (const base of path.isAbsolute(candidate) ? [realRoot, rootGiven] : [realRoot]) {
    const rel = path.relative(base, path.resolve(base, candidate));
    if (isInside(rel)) {
      relative = rel;
      break;
    }
  }
  if (relative === undefined) throw outside();

  const lexical = path.join(realRoot, relative);
  let absolute: string;
  try {
    absolute =
      options.finalLink === "keep" && relative !== ""
        ? path.join(await realpathAllowMissing(path.dirname(lexical), 0), path.basename(lexical))
        : await realpathAllowMissing(lexical, 0);
  } catch (error) {
    throw toToolError(error, input, "resolve");
  }
  const realRelative = path.relative(realRoot, absolute);
  if (!isInside(realRelative)) {
    throw new ToolError(
      `The path ${shown} leads outside the workspace through a symbolic link; it is refused.`,
    );
  }
  if (options.write) await refuseProtectedWrite(realRoot, relative, realRelative, shown);
  return { absolute, relative: toPosix(relative) || ".", root: realRoot };
}

function isInside(relative: string): boolean {
  return (
    relative === "" ||
    (!path.isAbsolute(relative) && relative !== ".." && !relative.startsWith(`..${path.sep}`))
  );
}

function touchesFolder(relative: string, name: string): boolean {
  // Case and trailing dots/spaces are folded because macOS and Windows file systems do.
  return relative.split(/[\\/]/).some((part) => part.replace(/[. ]+$/, "").toLowerCase() === name);
}

/**
 * Refuses a write into `.git`, into the git folder a `.git` file points to inside the
 * workspace (`git init --separate-git-dir`, worktrees), or into the agent's own state
 * folder `.gemma-coder`: each holds settings or state that later runs of git or of the
 * agent would trust.
 */
async function refuseProtectedWrite(
  realRoot: string,
  relative: string,
  realRelative: string,
  shown: string,
): Promise<void> {
  if (touchesFolder(relative, ".git") || touchesFolder(realRelative, ".git")) {
    throw new ToolError(
      `Writing inside .git is not allowed (${shown}). Use git commands through run_shell instead.`,
    );
  }
  if (touchesFolder(relative, STATE_FOLDER) || touchesFolder(realRelative, STATE_FOLDER)) {
    throw new ToolError(
      `Writing inside ${STATE_FOLDER} is not allowed (${shown}): it holds the agent's own configuration and state.`,
    );
  }
  const gitDir = await linkedGitDir(realRoot);
  if (gitDir !== undefined) {
    const rel = path.relative(gitDir, path.join(realRoot, realRelative));
    if (isInside(rel)) {
      throw new ToolError(
        `Writing inside the repository's git folder is not allowed (${shown}): .git points there. Use git commands through run_shell instead.`,
      );
    }
  }
}

/** The agent's state folder in a workspace. */
const STATE_FOLDER = ".gemma-coder";
const GITDIR_LINE = /^gitdir:\s*(.+?)\s*$/m;

/**
 * The real path of the git folder that a `.git` file at the root points to, when it is
 * inside the workspace; `undefined` for a `.git` folder or no `.git`.
 */
async function linkedGitDir(realRoot: string): Promise<string | undefined> {
  const dotGit = path.join(realRoot, ".git");
  let text: string;
  try {
    const stat = await fs.lstat(dotGit);
    if (!stat.isFile() || stat.size > 4096) return undefined;
    text = await fs.readFile(dotGit, "utf8");
  } catch {
    return undefined;
  }
  const target = GITDIR_LINE.exec(text)?.[1];
  if (target === undefined) return undefined;
  const resolved = path.resolve(realRoot, target);
  const real = await realpathAllowMissing(resolved, 0).catch(() => resolved);
  return isInside(path.relative(realRoot, real)) ? real : undefined;
}

function toPosix(p: string): string {
  return path.sep === "/" ? p : p.split(path.sep).join("/");
}

/**
 * Like `fs.realpath`, but also resolves a path whose last parts do not exist yet (the
 * target of a write), following a dangling link to where it would create the file.
 */
async function realpathAllowMissing(p: string, hops: number): Promise<string> {
  if (hops > MAX_LINK_HOPS) {
    throw Object.assign(new Error("too many symbolic links"), { code: "ELOOP" });
  }
  try {
    return await fs.realpath(p);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
  }
  const parent = path.dirname(p);
  if (parent === p) return p;
  const realParent = await realpathAllowMissing(parent, hops + 1);
  const joined = path.join(realParent, path.basename(p));
  let stats: import("node:fs").Stats | undefined;
  try {
    stats = await fs.lstat(joined);
  } catch {
    stats = undefined;
  }
  if (stats?.isSymbolicLink()) {
    const target = await fs.readlink(joined);
    return realpathAllowMissing(path.resolve(realParent, target), hops + 1);
  }
  return joined;
}
