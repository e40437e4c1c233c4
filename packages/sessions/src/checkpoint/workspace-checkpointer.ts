import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import {
  type Checkpointer,
  type FileChange,
  GemmaCoderError,
  type ToolResult,
  type UndoOptions,
  type UndoResult,
} from "@gemma-coder/core";
import { resolveWorkspacePath } from "@gemma-coder/tools";
import { makePrivateDir, PRIVATE_FILE_MODE } from "../store/private-files.js";
import { assertSafeId, isSafeId } from "../store/safe-id.js";
import {
  type CheckpointEntry,
  type CheckpointManifest,
  type CheckpointState,
  readManifest as readStoredManifest,
  storageError,
  writeManifest,
} from "./checkpoint-manifest.js";
import { type FileState, readFileState, sameState, statFingerprint } from "./file-state.js";
import { GitCommandError, git, gitText } from "./git.js";
import { mapLimit } from "./map-limit.js";
import { touchedPaths } from "./touched-paths.js";

/** The ref namespace that keeps checkpoint contents alive in a git repository. */
export const CHECKPOINT_REF_PREFIX = "refs/gemma-coder/checkpoints/";

/** Files larger than this are left out of a whole-workspace snapshot (50 MiB). */
export const DEFAULT_MAX_SNAPSHOT_BYTES = 50 * 1024 * 1024;

/** Options of {@link createCheckpointer}. */
export interface CheckpointerOptions {
  /** The workspace root; files outside it are never touched. */
  workspace: string;
  /** The sessions folder; checkpoints go to its `checkpoints` subfolder. */
  dir: string;
  /** Use git plumbing when the workspace is in a git repository. Default `true`. */
  git?: boolean;
  /** The git executable. Default `git`. */
  gitBinary?: string;
  /** Files larger than this are left out of whole-workspace snapshots. Default 50 MiB. */
  maxSnapshotBytes?: number;
  /** Workspace-relative folders never checkpointed, besides `.git` and `.gemma-coder`. */
  exclude?: readonly string[];
  /** A clock, for tests. */
  now?: () => number;
}

/** One checkpoint in a listing. */
export interface CheckpointSummary {
  /** The run (what `undo` takes). */
  runId: string;
  /** The session the run wrote to, when known. */
  sessionId?: string;
  /** When the run first changed a file. */
  createdAt: number;
  /** When the checkpoint last changed. */
  updatedAt: number;
  /** Whether it was undone. */
  state: CheckpointState;
  /** How contents are kept. */
  mode: "git" | "copy";
  /** How many files it covers. */
  files: number;
}

interface Mode {
  mode: "git" | "copy";
  top?: string;
}

const ALWAYS_EXCLUDED = [".git", ".gemma-coder"];
// Coarse file-system clocks (FAT, some network shares) round modification times.
const MTIME_SLACK_MS = 2_000;
// Files stat-ed or hashed at once.
const CONCURRENCY = 16;

function toPosix(relative: string): string {
  return relative.split(path.sep).join("/");
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates the checkpointer an agent calls before each change (see `Checkpointer` in
 * `@gemma-coder/core`).
 *
 * Before a run's first change to a file, the file's content is saved: inside a git
 * repository as git objects, through a temporary index file (`GIT_INDEX_FILE`),
 * `hash-object -w`, `write-tree` and `commit-tree`, kept alive by the ref
 * `refs/gemma-coder/checkpoints/<runId>`; elsewhere as plain copies under
 * `<dir>/checkpoints/<runId>/`. The user's index, HEAD, branch, stash and working
 * changes are never touched. Which files a call touches comes from its path arguments;
 * a shell command snapshots every tracked and untracked-but-not-ignored file of the
 * workspace in git mode, and is noted as not undoable outside git. After each change
 * the state the run left is recorded, so undo can tell the run's changes from later
 * edits by someone else, which it reports instead of overwriting.
 *
 * @param options - The workspace, the sessions folder and the git settings.
 * @returns The checkpointer.
 *
 * @example
 * ```ts
 * const { dir } = await resolveSessionDir({ workspace });
 * const checkpointer = createCheckpointer({ workspace, dir });
 * const agent = new Agent({ provider, tools: createTools({ root: workspace }), checkpointer });
 * const { runId } = await agent.run("rename foo to bar");
 * const report = await agent.undo(runId);
 * ```
 */
export function createCheckpointer(options: CheckpointerOptions): WorkspaceCheckpointer {
  return new WorkspaceCheckpointer(options);
}

/** The checkpointer of {@link createCheckpointer}, with listing on top of `Checkpointer`. */
export class WorkspaceCheckpointer implements Checkpointer {
  /** The workspace root as given, resolved. */
  readonly workspace: string;
  /** The folder holding one subfolder per checkpointed run. */
  readonly checkpointsDir: string;
  private readonly options: CheckpointerOptions;
  private readonly now: () => number;
  private readonly manifests = new Map<string, CheckpointManifest>();
  private readonly stepStarted = new Map<string, number>();
  private modePromise: Promise<Mode> | undefined;
  private realRootPromise: Promise<string> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private excluded: string[] = [];

  /**
   * Creates a checkpointer; see {@link createCheckpointer}.
   *
   * @param options - The workspace, the sessions folder and the git settings.
   */
  constructor(options: CheckpointerOptions) {
    if (typeof options?.workspace !== "string" || typeof options.dir !== "string") {
      throw new GemmaCoderError("A checkpointer needs a workspace and a sessions folder (dir).", {
        code: "invalid-argument",
      });
    }
    this.options = options;
    this.workspace = path.resolve(options.workspace);
    this.checkpointsDir = path.join(path.resolve(options.dir), "checkpoints");
    this.now = options.now ?? Date.now;
  }

  /**
   * Saves the files a call may change, unless this run saved them already.
   *
   * @param change - The call about to run.
   */
  beforeChange(change: FileChange): Promise<void> {
    return this.serial(() => this.before(change));
  }

  /**
   * Records the state the call left in the files it touched.
   *
   * @param change - The call that ran and its result.
   */
  afterChange(change: FileChange & { result: ToolResult }): Promise<void> {
    return this.serial(() => this.after(change));
  }

  /**
   * Restores what a run changed; see `Checkpointer.undo` in `@gemma-coder/core`.
   *
   * @param runId - The run (or a unique prefix of its id).
   * @param options - `force` overwrites files changed since the run.
   * @returns What was restored, removed and left alone.
   * @throws GemmaCoderError `invalid-argument` for an unknown or already undone run.
   */
  undo(runId: string, options: UndoOptions = {}): Promise<UndoResult> {
    return this.serial(() => this.restore(runId, options));
  }

  /**
   * Lists the checkpoints, newest first.
   *
   * @returns Their summaries (damaged ones are left out).
   */
  async list(): Promise<CheckpointSummary[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.checkpointsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const summaries: CheckpointSummary[] = [];
    const root = await this.realRoot();
    for (const name of names) {
      if (!isSafeId(name)) continue;
      // Planted, damaged or foreign checkpoints are not this user's runs: left out.
      const manifest = await this.readManifest(name).catch(() => undefined);
      if (!manifest || manifest.workspace !== root) continue;
      summaries.push({
        runId: manifest.runId,
        ...(manifest.sessionId === undefined ? {} : { sessionId: manifest.sessionId }),
        createdAt: manifest.createdAt,
        updatedAt: manifest.updatedAt,
        state: manifest.state,
        mode: manifest.mode,
        files: Object.keys(manifest.files).length,
      });
    }
    return summaries.sort((a, b) => b.createdAt - a.createdAt || b.updatedAt - a.updatedAt);
  }

  /**
   * The newest checkpoint not yet fully undone, for `gemma-coder undo` without an id.
   *
   * @returns Its summary, or `undefined`.
   */
  async latest(): Promise<CheckpointSummary | undefined> {
    return (await this.list()).find((summary) => summary.state !== "undone");
  }

  /**
   * Finds a run's checkpoint by its id or a unique prefix of it.
   *
   * @param idOrPrefix - What the user typed.
   * @returns The full run id.
   * @throws GemmaCoderError `invalid-argument` when nothing or several runs match.
   */
  async resolve(idOrPrefix: string): Promise<string> {
    assertSafeId(idOrPrefix, "run id");
    const ids = (await this.list()).map((summary) => summary.runId);
    if (ids.includes(idOrPrefix)) return idOrPrefix;
    // A folder of that exact name that is not listed was refused: say why.
    if ((await this.read(idOrPrefix)) !== undefined) return idOrPrefix;
    const matches = ids.filter((id) => id.startsWith(idOrPrefix));
    if (matches.length === 1) return matches[0] as string;
    if (matches.length === 0) throw this.unknownRun(idOrPrefix);
    throw new GemmaCoderError(
      `"${idOrPrefix}" matches ${matches.length} runs (${matches.slice(0, 5).join(", ")}); give more of the id.`,
      { code: "invalid-argument" },
    );
  }

  /**
   * Reads a run's checkpoint manifest.
   *
   * @param runId - The run.
   * @returns The manifest, or `undefined` when the run changed no file.
   */
  async read(runId: string): Promise<CheckpointManifest | undefined> {
    assertSafeId(runId, "run id");
    const manifest = this.manifests.get(runId) ?? (await this.readManifest(runId));
    if (manifest !== undefined && manifest.workspace !== (await this.realRoot())) {
      throw new GemmaCoderError(
        `Run ${runId} changed files in ${manifest.workspace}, not in ${this.workspace}; undo it there.`,
        { code: "invalid-argument" },
      );
    }
    return manifest;
  }

  private readManifest(runId: string): Promise<CheckpointManifest | undefined> {
    return readStoredManifest(this.folderOf(runId), runId, CHECKPOINT_REF_PREFIX);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private folderOf(runId: string): string {
    return path.join(this.checkpointsDir, runId);
  }

  private unknownRun(runId: string): GemmaCoderError {
    return new GemmaCoderError(
      `There is no checkpoint of run ${runId} in ${this.checkpointsDir}: the run changed no files, or its checkpoints are kept in another folder.`,
      { code: "invalid-argument" },
    );
  }

  private realRoot(): Promise<string> {
    this.realRootPromise ??= fs.realpath(this.workspace).catch(() => this.workspace);
    return this.realRootPromise;
  }

  private detectMode(): Promise<Mode> {
    this.modePromise ??= (async (): Promise<Mode> => {
      const root = await this.realRoot();
      const dir = path.resolve(this.options.dir);
      const inside = path.relative(root, dir);
      this.excluded = [...ALWAYS_EXCLUDED, ...(this.options.exclude ?? [])].map(toPosix);
      if (inside !== "" && !inside.startsWith("..") && !path.isAbsolute(inside)) {
        this.excluded.push(toPosix(inside));
      }
      if (this.options.git === false) return { mode: "copy" };
      try {
        const top = await gitText(["rev-parse", "--show-toplevel"], this.gitOptions(root));
        if (top === "") return { mode: "copy" };
        // A `core.worktree` in the repository's config can move the work tree anywhere;
        // only a repository that contains the workspace is used.
        const realTop = await fs.realpath(path.resolve(top)).catch(() => path.resolve(top));
        const below = path.relative(realTop, root);
        if (below.startsWith("..") || path.isAbsolute(below)) return { mode: "copy" };
        return { mode: "git", top: realTop };
      } catch {
        // Not a repository, or no git: plain copies work everywhere.
        return { mode: "copy" };
      }
    })();
    return this.modePromise;
  }

  private gitOptions(
    cwd: string,
    extra: { env?: Record<string, string>; input?: string | Buffer } = {},
  ) {
    return {
      cwd,
      ...(this.options.gitBinary === undefined ? {} : { binary: this.options.gitBinary }),
      ...extra,
    };
  }

  /** The workspace-relative path of a tool's path argument, or `undefined` when outside or excluded. */
  private async relative(given: string): Promise<string | undefined> {
    const roots = [this.workspace, await this.realRoot()];
    for (const root of roots) {
      const rel = path.relative(root, path.resolve(root, given));
      if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) continue;
      const posix = toPosix(path.normalize(rel));
      if (this.isExcluded(posix)) return undefined;
      return posix;
    }
    return undefined;
  }

  private isExcluded(posix: string): boolean {
    return this.excluded.some((prefix) => posix === prefix || posix.startsWith(`${prefix}/`));
  }

  private async manifest(change: FileChange): Promise<CheckpointManifest> {
    assertSafeId(change.runId, "run id");
    const known = this.manifests.get(change.runId) ?? (await this.read(change.runId));
    if (known) {
      this.manifests.set(change.runId, known);
      return known;
    }
    const { mode } = await this.detectMode();
    const time = this.now();
    const manifest: CheckpointManifest = {
      v: 1,
      runId: change.runId,
      ...(change.sessionId === undefined ? {} : { sessionId: change.sessionId }),
      workspace: await this.realRoot(),
      mode,
      ...(mode === "git" ? { ref: `${CHECKPOINT_REF_PREFIX}${change.runId}` } : {}),
      createdAt: time,
      updatedAt: time,
      state: "active",
      workspaceSnapshot: false,
      files: {},
      createdDirs: [],
      notes: [],
    };
    this.manifests.set(change.runId, manifest);
    return manifest;
  }

  private async before(change: FileChange): Promise<void> {
    const manifest = await this.manifest(change);
    this.stepStarted.set(change.runId, this.now());
    const touched = touchedPaths(change);
    let paths: string[] = [];
    let limit: number | undefined;
    if (touched.kind === "workspace") {
      if (manifest.mode === "git") {
        if (!manifest.workspaceSnapshot) {
          paths = await this.listWorkspace();
          limit = this.options.maxSnapshotBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES;
          manifest.workspaceSnapshot = true;
        }
      } else if (!manifest.notes.some((note) => note.startsWith(`${change.tool} `))) {
        manifest.notes.push(
          `${change.tool} (first at step ${change.step}) may have changed files that undo cannot restore: outside a git repository only the files named in a tool's arguments are checkpointed.`,
        );
      }
    } else {
      for (const given of touched.paths) {
        const rel = await this.relative(given);
        if (rel !== undefined) paths.push(rel);
      }
    }
    const fresh = [...new Set(paths)].filter((rel) => !(rel in manifest.files));
    if (fresh.length > 0) await this.snapshot(manifest, fresh, change, limit);
    manifest.updatedAt = this.now();
    await writeManifest(this.folderOf(manifest.runId), manifest);
  }

  private async after(change: FileChange & { result: ToolResult }): Promise<void> {
    const manifest = this.manifests.get(change.runId) ?? (await this.read(change.runId));
    if (!manifest) return;
    this.manifests.set(change.runId, manifest);
    const touched = touchedPaths(change);
    let refresh: string[];
    if (touched.kind === "workspace") {
      if (manifest.mode === "git" && manifest.workspaceSnapshot) {
        await this.adoptNewFiles(manifest, change);
      }
      refresh = Object.keys(manifest.files);
    } else {
      refresh = [];
      for (const given of touched.paths) {
        const rel = await this.relative(given);
        if (rel !== undefined && rel in manifest.files) refresh.push(rel);
      }
    }
    const root = await this.realRoot();
    await mapLimit(refresh, CONCURRENCY, async (rel) => {
      const entry = manifest.files[rel] as CheckpointEntry;
      const file = path.join(root, ...rel.split("/"));
      const known = entry.after === undefined ? entry.beforeStat : entry.afterStat;
      if (known !== undefined && (await statFingerprint(file)) === known) {
        // Untouched since the last look: what the run left is what was there.
        if (entry.after === undefined) {
          entry.after = entry.before;
          entry.afterStat = known;
        }
        return;
      }
      const { state, stat } = await readFileState(file);
      entry.after = state;
      if (stat === undefined) delete entry.afterStat;
      else entry.afterStat = stat;
    });
    manifest.updatedAt = this.now();
    await writeManifest(this.folderOf(manifest.runId), manifest);
  }

  /** Files a shell command created: new in the listing, and modified since it started. */
  private async adoptNewFiles(manifest: CheckpointManifest, change: FileChange): Promise<void> {
    const started = (this.stepStarted.get(change.runId) ?? 0) - MTIME_SLACK_MS;
    const root = await this.realRoot();
    const fresh = (await this.listWorkspace()).filter((rel) => !(rel in manifest.files));
    const mtimes = await mapLimit(fresh, CONCURRENCY, (rel) =>
      fs.lstat(path.join(root, ...rel.split("/"))).then(
        (stat) => stat.mtimeMs,
        () => undefined,
      ),
    );
    fresh.forEach((rel, i) => {
      const mtime = mtimes[i];
      // An older file was there before the command: someone else's, not the run's.
      if (mtime === undefined || mtime < started) return;
      manifest.files[rel] = { before: { kind: "missing" }, step: change.step, tool: change.tool };
    });
  }

  /** Tracked and untracked-but-not-ignored files under the workspace, workspace-relative. */
  private async listWorkspace(): Promise<string[]> {
    const root = await this.realRoot();
    const output = await git(
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name", "--", "."],
      this.gitOptions(root),
    );
    const { top } = await this.detectMode();
    const prefix = toPosix(path.relative(top ?? root, root));
    const files = new Set<string>();
    for (const name of output.toString("utf8").split("\0")) {
      if (name === "") continue;
      const rel =
        prefix === ""
          ? name
          : name.startsWith(`${prefix}/`)
            ? name.slice(prefix.length + 1)
            : undefined;
      if (rel !== undefined && !this.isExcluded(rel)) files.add(rel);
    }
    return [...files];
  }

  private async snapshot(
    manifest: CheckpointManifest,
    paths: readonly string[],
    change: FileChange,
    limit: number | undefined,
  ): Promise<void> {
    const root = await this.realRoot();
    const toStore: { rel: string; file: string; entry: CheckpointEntry }[] = [];
    const states = await mapLimit(paths, CONCURRENCY, async (rel) => {
      const file = path.join(root, ...rel.split("/"));
      return { rel, file, ...(await readFileState(file)) };
    });
    for (const { rel, file, state, stat } of states) {
      // Whole-workspace listings include submodules and folders; only files matter there.
      if (limit !== undefined && state.kind === "other") continue;
      const entry: CheckpointEntry = {
        before: state,
        ...(stat === undefined ? {} : { beforeStat: stat }),
        step: change.step,
        tool: change.tool,
      };
      manifest.files[rel] = entry;
      if (state.kind === "missing") {
        const created = await this.highestMissingFolder(root, file);
        if (created !== undefined && !manifest.createdDirs.includes(created)) {
          manifest.createdDirs.push(created);
        }
      } else if (state.kind === "file") {
        if (limit !== undefined && state.size > limit) {
          entry.notKept = `it was larger than ${Math.round(limit / 1024 / 1024)} MiB when the workspace was snapshotted`;
        } else toStore.push({ rel, file, entry });
      } else if (state.kind === "other") {
        manifest.notes.push(`${rel} is not a regular file; undo leaves it alone.`);
      }
    }
    if (toStore.length === 0) return;
    if (manifest.mode === "copy") {
      const folder = path.join(this.folderOf(manifest.runId), "files");
      await makePrivateDir(folder);
      for (const item of toStore) {
        const name = randomBytes(8).toString("hex");
        const copy = path.join(folder, name);
        await fs.copyFile(item.file, copy, constants.COPYFILE_EXCL);
        // copyFile keeps the source's mode; a copy is private like the transcripts.
        await fs.chmod(copy, PRIVATE_FILE_MODE);
        item.entry.copy = `files/${name}`;
      }
      return;
    }
    await this.storeInGit(manifest, toStore);
  }

  private async storeInGit(
    manifest: CheckpointManifest,
    items: readonly { rel: string; file: string; entry: CheckpointEntry }[],
  ): Promise<void> {
    const root = await this.realRoot();
    const { top } = await this.detectMode();
    const cwd = top ?? root;
    // Raw bytes (no clean filters such as autocrlf or LFS), so a restore is byte-exact.
    const batch = items.filter((item) => !item.file.includes("\n"));
    if (batch.length > 0) {
      const blobs = (
        await gitText(
          ["hash-object", "-w", "--no-filters", "--stdin-paths"],
          this.gitOptions(cwd, { input: `${batch.map((item) => item.file).join("\n")}\n` }),
        )
      ).split("\n");
      batch.forEach((item, i) => {
        const blob = blobs[i];
        if (blob) item.entry.blob = blob;
      });
    }
    for (const item of items.filter((entry) => entry.file.includes("\n"))) {
      item.entry.blob = await gitText(
        ["hash-object", "-w", "--no-filters", "--stdin"],
        this.gitOptions(cwd, { input: await fs.readFile(item.file) }),
      );
    }
    // A private index file: the user's index is never read or written.
    const index = path.join(this.folderOf(manifest.runId), "index");
    await makePrivateDir(path.dirname(index));
    const env = { GIT_INDEX_FILE: index };
    const lines = items
      .filter((item) => item.entry.blob)
      .map((item) => {
        const mode =
          item.entry.before.kind === "file" && item.entry.before.executable ? "100755" : "100644";
        return `${mode} ${item.entry.blob}\t${item.rel}\0`;
      })
      .join("");
    await git(
      ["update-index", "-z", "--add", "--index-info"],
      this.gitOptions(cwd, { env, input: lines }),
    );
    const tree = await gitText(["write-tree"], this.gitOptions(cwd, { env }));
    // git writes its index with the umask's mode; the index names every file kept.
    await fs.chmod(index, PRIVATE_FILE_MODE).catch(() => undefined);
    const commit = await gitText(
      [
        "commit-tree",
        "--no-gpg-sign",
        tree,
        ...(manifest.commit ? ["-p", manifest.commit] : []),
        "-m",
        `gemma-coder checkpoint of run ${manifest.runId}`,
      ],
      this.gitOptions(cwd),
    );
    await git(
      ["update-ref", manifest.ref ?? `${CHECKPOINT_REF_PREFIX}${manifest.runId}`, commit],
      this.gitOptions(cwd),
    );
    manifest.commit = commit;
  }

  /** The highest ancestor of `file` (inside the root) that does not exist yet. */
  private async highestMissingFolder(root: string, file: string): Promise<string | undefined> {
    let highest: string | undefined;
    let folder = path.dirname(file);
    while (folder !== root && folder.startsWith(root + path.sep)) {
      try {
        await fs.lstat(folder);
        break;
      } catch {
        highest = folder;
        folder = path.dirname(folder);
      }
    }
    return highest === undefined ? undefined : toPosix(path.relative(root, highest));
  }

  // long-function: applies an undo plan file by file, then removes emptied folders deepest first; one place shows the order
  private async restore(idOrPrefix: string, options: UndoOptions): Promise<UndoResult> {
    const runId = await this.resolve(idOrPrefix);
    const manifest = await this.read(runId);
    if (!manifest) throw this.unknownRun(runId);
    if (manifest.state === "undone") {
      throw new GemmaCoderError(
        `Run ${runId} was already undone${manifest.undoneAt ? ` (${new Date(manifest.undoneAt).toISOString()})` : ""}.`,
        { code: "invalid-argument" },
      );
    }
    const result: UndoResult = {
      runId,
      restored: [],
      deleted: [],
      unchanged: [],
      conflicts: [],
      notes: [...manifest.notes],
    };
    // The workspace is this checkpointer's, never the one the manifest names.
    const root = await this.realRoot();
    const paths = Object.keys(manifest.files).sort();
    const targets = await mapLimit(paths, CONCURRENCY, (rel) => this.confined(root, rel));
    const currents = await mapLimit(targets, CONCURRENCY, async (target) => {
      if (target instanceof Error) return target;
      try {
        return (await readFileState(target)).state;
      } catch (error) {
        return new Error(`It could not be read: ${errorMessage(error)}.`);
      }
    });
    for (const [index, rel] of paths.entries()) {
      const entry = manifest.files[rel] as CheckpointEntry;
      const file = targets[index] as string | Error;
      const current = currents[index] as FileState | Error;
      if (current instanceof Error || file instanceof Error) {
        const problem = (file instanceof Error ? file : current) as Error;
        result.conflicts.push({ path: rel, reason: problem.message });
        continue;
      }
      const conflict = this.conflictOf(entry, current, options);
      if (conflict === "unchanged") {
        result.unchanged.push(rel);
        continue;
      }
      if (conflict === "skip") continue;
      if (conflict !== undefined) {
        result.conflicts.push({ path: rel, reason: conflict });
        continue;
      }
      try {
        if (entry.before.kind === "missing") {
          await fs.rm(file, { force: true });
          result.deleted.push(rel);
        } else {
          await this.put(manifest, entry, file);
          result.restored.push(rel);
        }
      } catch (error) {
        result.conflicts.push({
          path: rel,
          reason: `It could not be restored: ${storageError("", error).message.replace(/^: /, "").replace(/\.$/, "")}.`,
        });
      }
    }
    // Folders the run created go too, deepest first, when nothing else is in them.
    for (const rel of [...manifest.createdDirs].sort((a, b) => b.length - a.length)) {
      const folder = await this.confined(root, rel);
      if (!(folder instanceof Error)) await this.removeEmptyFolders(root, folder);
    }
    manifest.state = result.conflicts.length === 0 ? "undone" : "partly-undone";
    manifest.undoneAt = this.now();
    manifest.updatedAt = manifest.undoneAt;
    this.manifests.set(runId, manifest);
    try {
      await writeManifest(this.folderOf(runId), manifest);
    } catch (error) {
      const done = result.restored.length + result.deleted.length;
      throw new GemmaCoderError(
        `${errorMessage(error).replace(/\.$/, "")}. ${done === 0 ? "No file was changed" : `${done} ${done === 1 ? "file was" : "files were"} put back already`}, but the checkpoint could not be marked as undone; free some space and run undo again.`,
        { code: "storage", cause: error },
      );
    }
    return result;
  }

  /**
   * Where a manifest path leads, confined like the tools' writes: inside the workspace
   * after every folder link is resolved, and never in `.git`, the git folder or
   * `.gemma-coder`. A refused path comes back as an error to report as a conflict.
   */
  private async confined(root: string, rel: string): Promise<string | Error> {
    try {
      const resolved = await resolveWorkspacePath(root, rel, { write: true, finalLink: "keep" });
      if (resolved.relative === ".")
        return new Error("It is the workspace itself; it was left alone.");
      return resolved.absolute;
    } catch (error) {
      return new Error(`It was refused: ${errorMessage(error)}`);
    }
  }

  /** Why a file is not put back (a reason), `unchanged`, `skip`, or `undefined` to restore it. */
  private conflictOf(
    entry: CheckpointEntry,
    current: FileState,
    options: UndoOptions,
  ): string | "unchanged" | "skip" | undefined {
    if (entry.before.kind === "other") return "skip";
    if (sameState(current, entry.before)) return "unchanged";
    if (entry.notKept) return `Its content before the run was not kept: ${entry.notKept}.`;
    if (!options.force) {
      if (entry.after === undefined) {
        return "The run stopped before what it left in this file was recorded, so later changes by someone else cannot be ruled out; undo with force to restore it anyway.";
      }
      if (!sameState(current, entry.after)) {
        return current.kind === "missing"
          ? "It was deleted after the run by someone else; undo with force to restore it anyway."
          : "It was changed after the run by someone else; undo with force to overwrite those changes.";
      }
    }
    if (current.kind === "other")
      return "A folder or special file is there now; it was left alone.";
    return undefined;
  }

  /** Removes a folder and its empty subfolders, keeping anything that holds a file. */
  private async removeEmptyFolders(root: string, folder: string): Promise<boolean> {
    if (!folder.startsWith(root + path.sep)) return false;
    let names: string[];
    try {
      names = await fs.readdir(folder);
    } catch {
      return false;
    }
    let empty = true;
    for (const name of names) {
      const child = path.join(folder, name);
      const stat = await fs.lstat(child).catch(() => undefined);
      if (stat?.isDirectory() && (await this.removeEmptyFolders(root, child))) continue;
      empty = false;
    }
    if (!empty) return false;
    await fs.rmdir(folder).catch(() => undefined);
    return true;
  }

  /** The content of a file before the run, from its copy or its git blob. */
  private async contentBefore(
    manifest: CheckpointManifest,
    entry: CheckpointEntry,
  ): Promise<Buffer> {
    if (entry.copy !== undefined) {
      // The name was checked (`files/<hex>`); a link there is still not followed.
      const copy = path.join(this.folderOf(manifest.runId), ...entry.copy.split("/"));
      const handle = await fs.open(copy, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      try {
        if (!(await handle.stat()).isFile()) throw new Error("its copy is not a regular file");
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    }
    if (entry.blob !== undefined) {
      const { top } = await this.detectMode();
      try {
        return await git(
          ["cat-file", "blob", entry.blob],
          this.gitOptions(top ?? (await this.realRoot())),
        );
      } catch (error) {
        throw new Error(
          error instanceof GitCommandError
            ? `git has lost its copy (${error.stderr || error.message})`
            : errorMessage(error),
        );
      }
    }
    throw new Error("no copy of its content was kept");
  }

  /** Writes the content before the run back, atomically, with its execute bit. */
  private async put(
    manifest: CheckpointManifest,
    entry: CheckpointEntry,
    file: string,
  ): Promise<void> {
    const before = entry.before as Exclude<FileState, { kind: "missing" | "other" }>;
    await fs.mkdir(path.dirname(file), { recursive: true });
    if (before.kind === "symlink") {
      await fs.rm(file, { force: true });
      await fs.symlink(before.target, file);
      return;
    }
    const content = await this.contentBefore(manifest, entry);
    const temporary = path.join(
      path.dirname(file),
      `.${path.basename(file)}.gemma-undo-${randomBytes(4).toString("hex")}`,
    );
    try {
      await fs.writeFile(temporary, content, { mode: 0o600, flag: "wx" });
      // chmod after the write: the umask would otherwise trim the bits.
      await fs.chmod(temporary, before.perm & 0o777);
      await fs.rename(temporary, file);
    } catch (error) {
      // A full disk must not leave a half-written temporary file beside the user's.
      await fs.rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}
