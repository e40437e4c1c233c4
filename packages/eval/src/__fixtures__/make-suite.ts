// Writes small suites into temporary folders for the tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";

/** A file tree: path → content. */
export type Files = Record<string, string>;

/** Writes files under a folder. */
export function writeFiles(dir: string, files: Files): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** A task as the tests write it: its task.json (an object), its fixture files and recordings. */
export interface TaskSpec {
  task: Record<string, unknown>;
  repo?: Files;
  recordings?: Record<string, unknown>;
  extra?: Files;
}

/** Registers clean-up and returns a maker of temporary suites. */
export function useTempSuites() {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const temp = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-eval-test-"));
    dirs.push(dir);
    return dir;
  };
  const suite = (manifest: Record<string, unknown>, tasks: Record<string, TaskSpec>): string => {
    const dir = temp();
    writeFiles(dir, { "suite.json": JSON.stringify(manifest, null, 2) });
    for (const [name, spec] of Object.entries(tasks)) {
      const taskDir = path.join(dir, "tasks", name);
      writeFiles(taskDir, { "task.json": JSON.stringify(spec.task, null, 2) });
      writeFiles(path.join(taskDir, "repo"), spec.repo ?? { "README.md": "fixture\n" });
      for (const [recording, body] of Object.entries(spec.recordings ?? {})) {
        writeFiles(taskDir, { [`replays/${recording}.json`]: JSON.stringify(body) });
      }
      writeFiles(taskDir, spec.extra ?? {});
    }
    return dir;
  };
  return { temp, suite };
}

/** A task.json that checks a file's content with node, with a fixture folder `repo`. */
export function fileTask(
  prompt: string,
  check: { file: string; contains: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    prompt,
    fixture: { folder: "repo" },
    checks: [
      {
        name: `${check.file} has the fix`,
        run: `node -e "process.exit(require('fs').readFileSync('${check.file}','utf8').includes('${check.contains}') ? 0 : 1)"`,
      },
    ],
    ...extra,
  };
}
