import { promises as fs } from "node:fs";
import path from "node:path";
import { type ScriptedReply, toolCallText } from "@gemma-coder/core/testing";
import type { z } from "zod";
import { EvalFileError } from "./eval-file-error.js";
import { recordingSchema, suiteManifestSchema, taskFileSchema } from "./suite-schema.js";
import type { EvalCheck, EvalRecording, EvalSuite, EvalTask } from "./types.js";

/** The manifest's file name in a suite folder. */
export const SUITE_MANIFEST = "suite.json";
/** A task's file name in its folder. */
export const TASK_FILE = "task.json";
/** The folder of a task that holds its recordings. */
export const REPLAYS_DIR = "replays";

/** Defaults for what neither the task nor the suite sets. */
export const TASK_DEFAULTS = { maxSteps: 20, timeoutMs: 600_000, checkTimeoutMs: 120_000 };

/**
 * Reads a suite folder: its `suite.json` manifest, every task's `task.json` and every
 * recording in the tasks' `replays/` folders, validated. Nothing runs; the fixture and
 * overlay folders are checked to exist.
 *
 * @param dir - The suite folder (or its `suite.json`).
 * @returns The suite with every default filled in.
 * @throws EvalFileError naming the file and the field when anything is missing or wrong.
 */
export async function loadSuite(dir: string): Promise<EvalSuite> {
  let suiteDir = path.resolve(dir);
  if (path.basename(suiteDir) === SUITE_MANIFEST) suiteDir = path.dirname(suiteDir);
  const file = path.join(suiteDir, SUITE_MANIFEST);
  const manifest = parseWith(suiteManifestSchema, await readJson(file), file);
  const taskDirs = manifest.tasks
    ? manifest.tasks.map((name) => path.resolve(suiteDir, name))
    : await findTaskDirs(suiteDir, file);
  const tasks: EvalTask[] = [];
  const seen = new Map<string, string>();
  for (const taskDir of taskDirs) {
    const task = await loadTask(taskDir, manifest.defaults);
    const other = seen.get(task.id);
    if (other !== undefined) {
      throw new EvalFileError(task.file, "id", `the id "${task.id}" is also used by ${other}.`);
    }
    seen.set(task.id, task.file);
    tasks.push(task);
  }
  return {
    name: manifest.name,
    description: manifest.description,
    dir: suiteDir,
    file,
    approvals: manifest.approvals,
    requires: manifest.requires ?? [],
    tasks,
  };
}

/** Every folder of `<suite>/tasks/` that holds a `task.json`, sorted. */
async function findTaskDirs(suiteDir: string, manifestFile: string): Promise<string[]> {
  const tasksDir = path.join(suiteDir, "tasks");
  const entries = await fs.readdir(tasksDir, { withFileTypes: true }).catch(() => undefined);
  const dirs = (entries ?? [])
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(tasksDir, entry.name))
    .sort();
  const withTask: string[] = [];
  for (const taskDir of dirs) {
    if (await isFile(path.join(taskDir, TASK_FILE))) withTask.push(taskDir);
  }
  if (withTask.length === 0) {
    throw new EvalFileError(
      manifestFile,
      "tasks",
      `no tasks: list the task folders in "tasks", or put them in ${tasksDir}/<task>/${TASK_FILE}.`,
    );
  }
  return withTask;
}

/** Reads and validates one task folder. */
async function loadTask(
  dir: string,
  defaults: {
    maxSteps?: number | undefined;
    timeout?: number | undefined;
    checkTimeout?: number | undefined;
  },
): Promise<EvalTask> {
  const file = path.join(dir, TASK_FILE);
  const raw = parseWith(taskFileSchema, await readJson(file), file);
  const checkTimeoutMs = defaults.checkTimeout ?? TASK_DEFAULTS.checkTimeoutMs;
  const checks: EvalCheck[] = raw.checks.map((check) => ({
    name: check.name,
    run: check.run,
    required: check.required,
    partial: check.partial,
    timeoutMs: check.timeout ?? checkTimeoutMs,
  }));
  const fixture =
    "folder" in raw.fixture
      ? {
          kind: "folder" as const,
          path: await existingFolder(dir, raw.fixture.folder, file, "fixture.folder"),
        }
      : { kind: "git" as const, repository: raw.fixture.git, commit: raw.fixture.commit };
  const overlay =
    raw.overlay === undefined
      ? undefined
      : "folder" in raw.overlay
        ? {
            kind: "folder" as const,
            path: await existingFolder(dir, raw.overlay.folder, file, "overlay.folder"),
          }
        : { kind: "commit" as const, commit: raw.overlay.commit, paths: raw.overlay.paths };
  return {
    id: raw.id ?? path.basename(dir),
    title: raw.title,
    language: raw.language,
    kind: raw.kind,
    dir,
    file,
    prompt: raw.prompt,
    fixture,
    overlay,
    checks,
    maxSteps: raw.maxSteps ?? defaults.maxSteps ?? TASK_DEFAULTS.maxSteps,
    timeoutMs: raw.timeout ?? defaults.timeout ?? TASK_DEFAULTS.timeoutMs,
    links: raw.links ?? [],
    recordings: await loadRecordings(dir),
  };
}

/** Reads the task's `replays/*.json`, sorted by name. */
async function loadRecordings(taskDir: string): Promise<EvalRecording[]> {
  const replaysDir = path.join(taskDir, REPLAYS_DIR);
  const names = await fs.readdir(replaysDir).catch(() => [] as string[]);
  const recordings: EvalRecording[] = [];
  for (const name of names.filter((entry) => entry.endsWith(".json")).sort()) {
    const file = path.join(replaysDir, name);
    const raw = parseWith(recordingSchema, await readJson(file), file);
    let transcript: string | undefined;
    if (raw.transcript !== undefined) {
      transcript = path.resolve(replaysDir, raw.transcript);
      if (!(await isFile(transcript))) {
        throw new EvalFileError(file, "transcript", `the transcript ${transcript} does not exist.`);
      }
    }
    recordings.push({
      name: name.slice(0, -".json".length),
      file,
      expect: raw.expect,
      description: raw.description,
      replies: raw.replies?.map(toScriptedReply),
      transcript,
    });
  }
  return recordings;
}

/** A recording's reply as the scripted model takes it: a call becomes its protocol text. */
function toScriptedReply(
  reply:
    | string
    | {
        text?: string | undefined;
        tool?: string | undefined;
        args?: Record<string, unknown> | undefined;
        delayMs?: number | undefined;
      },
): ScriptedReply {
  if (typeof reply === "string") return { text: reply };
  const call = reply.tool === undefined ? "" : toolCallText(reply.tool, reply.args ?? {});
  const text = [reply.text, call].filter((part) => part).join("\n");
  return reply.delayMs === undefined ? { text } : { text, delayMs: reply.delayMs };
}

/** Resolves a folder named in a task file and checks it is one. */
async function existingFolder(
  taskDir: string,
  name: string,
  file: string,
  field: string,
): Promise<string> {
  const folder = path.resolve(taskDir, name);
  const stats = await fs.stat(folder).catch(() => undefined);
  if (!stats?.isDirectory()) {
    throw new EvalFileError(file, field, `the folder ${folder} does not exist.`);
  }
  return folder;
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (stats) => stats.isFile(),
    () => false,
  );
}

/** Reads a JSON file; a missing or malformed one is an {@link EvalFileError}. */
async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EvalFileError(
      file,
      undefined,
      code === "ENOENT" ? "the file does not exist." : `cannot be read (${code ?? String(error)}).`,
      error,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EvalFileError(
      file,
      undefined,
      `is not valid JSON: ${(error as Error).message}`,
      error,
    );
  }
}

/** Validates parsed JSON; the first problem names its field. */
function parseWith<S extends z.ZodType>(schema: S, value: unknown, file: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0];
  const firstPath = first
    ? [...first.path, ...(first.code === "unrecognized_keys" ? first.keys.slice(0, 1) : [])]
    : [];
  const field = firstPath.length > 0 ? firstPath.join(".") : undefined;
  const describe = (issue: z.core.$ZodIssue) => {
    const where = issue.path.length > 0 ? `"${issue.path.join(".")}" ` : "";
    if (issue.code === "invalid_type" && issue.message.includes("received undefined")) {
      return `${where}is required`;
    }
    if (issue.code === "unrecognized_keys") {
      return `${where}has unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key}"`).join(", ")}`;
    }
    return `${where}${issue.message}`;
  };
  throw new EvalFileError(file, field, `${issues.map(describe).join("; ")}.`);
}
