import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import { describe, expect, it } from "vitest";
import { fileTask, useTempSuites, writeFiles } from "../__fixtures__/make-suite.js";
import { EvalFileError } from "./eval-file-error.js";
import { loadSuite, TASK_DEFAULTS } from "./load-suite.js";

const { suite } = useTempSuites();

const good = fileTask("Fix it.", { file: "a.txt", contains: "fixed" });

/** Loads a suite and returns the error it throws. */
async function loadError(dir: string): Promise<EvalFileError> {
  const error = await loadSuite(dir).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EvalFileError);
  expect(GemmaCoderError.isInstance(error)).toBe(true);
  expect((error as EvalFileError).code).toBe("config");
  return error as EvalFileError;
}

describe("loadSuite", () => {
  it("reads the manifest, the tasks in folder order and their recordings, with defaults", async () => {
    const dir = suite(
      { name: "demo", defaults: { checkTimeout: "5s" } },
      {
        b: { task: { ...good, maxSteps: 3, timeout: "2m" } },
        a: {
          task: good,
          recordings: {
            pass: { expect: "pass", replies: [{ tool: "done", args: { summary: "ok" } }] },
            fail: { expect: "fail", replies: ["no call here"] },
          },
        },
      },
    );
    const loaded = await loadSuite(dir);
    expect(loaded.name).toBe("demo");
    expect(loaded.approvals).toBe("allow-all");
    expect(loaded.tasks.map((task) => task.id)).toEqual(["a", "b"]);
    const [a, b] = loaded.tasks;
    expect(a?.fixture).toEqual({ kind: "folder", path: path.join(dir, "tasks", "a", "repo") });
    expect(a?.maxSteps).toBe(TASK_DEFAULTS.maxSteps);
    expect(a?.checks[0]).toMatchObject({ required: true, partial: false, timeoutMs: 5000 });
    expect(b).toMatchObject({ maxSteps: 3, timeoutMs: 120_000 });
    expect(a?.recordings.map((r) => [r.name, r.expect])).toEqual([
      ["fail", "fail"],
      ["pass", "pass"],
    ]);
    expect(a?.recordings[1]?.replies?.[0]?.text).toBe(
      '<tool>\n{"name":"done","args":{"summary":"ok"}}\n</tool>',
    );
  });

  it("takes the tasks the manifest lists, in its order", async () => {
    const dir = suite(
      { name: "demo", tasks: ["tasks/b", "tasks/a"] },
      { a: { task: good }, b: { task: good } },
    );
    expect((await loadSuite(dir)).tasks.map((task) => task.id)).toEqual(["b", "a"]);
  });

  it("names the file and the field of a task without a prompt", async () => {
    const { prompt: _, ...noPrompt } = good;
    const dir = suite({ name: "demo" }, { a: { task: noPrompt } });
    const error = await loadError(dir);
    expect(error.file).toBe(path.join(dir, "tasks", "a", "task.json"));
    expect(error.field).toBe("prompt");
    expect(error.message).toContain('"prompt" is required');
  });

  it("reports a misspelt field instead of ignoring it", async () => {
    const task = { ...good, checks: [{ name: "x", run: "true", requird: false }] };
    const error = await loadError(suite({ name: "demo" }, { a: { task } }));
    expect(error.field).toBe("checks.0.requird");
    expect(error.message).toContain('unknown field "requird"');
  });

  it("rejects a task whose checks are all optional, a bad duration, and a bad commit", async () => {
    const optional = { ...good, checks: [{ name: "x", run: "true", required: false }] };
    expect((await loadError(suite({ name: "d" }, { a: { task: optional } }))).field).toBe("checks");
    const slow = { ...good, timeout: "soon" };
    expect((await loadError(suite({ name: "d" }, { a: { task: slow } }))).field).toBe("timeout");
    const git = { ...good, fixture: { git: "https://example.invalid/r.git", commit: "main" } };
    const error = await loadError(suite({ name: "d" }, { a: { task: git } }));
    expect(error.field).toBe("fixture.commit");
  });

  it("says what a fixture must look like", async () => {
    const task = { ...good, fixture: { path: "repo" } };
    const error = await loadError(suite({ name: "d" }, { a: { task } }));
    expect(error.field).toBe("fixture");
    expect(error.message).toContain('{"folder": "<folder of the task>"}');
  });

  it("names a fixture folder that does not exist", async () => {
    const task = { ...good, fixture: { folder: "missing" } };
    const error = await loadError(suite({ name: "d" }, { a: { task } }));
    expect(error.field).toBe("fixture.folder");
    expect(error.message).toContain("does not exist");
  });

  it("names a task file that is not JSON, and a missing manifest", async () => {
    const dir = suite({ name: "d" }, { a: { task: good } });
    writeFiles(dir, { "tasks/a/task.json": '{"prompt": "x",' });
    const error = await loadError(dir);
    expect(error.file).toBe(path.join(dir, "tasks", "a", "task.json"));
    expect(error.message).toContain("is not valid JSON");
    const missing = await loadError(path.join(dir, "tasks"));
    expect(missing.file).toBe(path.join(dir, "tasks", "suite.json"));
    expect(missing.message).toContain("does not exist");
  });

  it("rejects two tasks with one id, and a recording without a score", async () => {
    const twice = suite(
      { name: "d" },
      { a: { task: { ...good, id: "x" } }, b: { task: { ...good, id: "x" } } },
    );
    expect((await loadError(twice)).message).toContain('the id "x" is also used by');
    const noScore = suite(
      { name: "d" },
      { a: { task: good, recordings: { pass: { replies: ["hi"] } } } },
    );
    const error = await loadError(noScore);
    expect(error.file).toBe(path.join(noScore, "tasks", "a", "replays", "pass.json"));
    expect(error.field).toBe("expect");
  });
});
