import { readFileSync } from "node:fs";
import type { UndoResult } from "@gemma-coder/core";
import { afterEach, describe, expect, it } from "vitest";
import { FakeDocuments } from "./__fixtures__/fake-documents.js";
import { tempWorkspace } from "./__fixtures__/temp-workspace.js";
import { undoLastRun } from "./undo-last-run.js";
import type { RecordedWrite } from "./workspace-fs.js";

let workspace: ReturnType<typeof tempWorkspace>;
afterEach(() => workspace.dispose());

function fakeCheckpointer(runId: string, result: Partial<UndoResult> = {}) {
  const undone: string[] = [];
  return {
    undone,
    latest: async () => (undone.includes(runId) ? undefined : { runId, state: "active" }),
    undo: async (id: string): Promise<UndoResult> => {
      undone.push(id);
      return {
        runId: id,
        restored: [],
        deleted: [],
        unchanged: [],
        conflicts: [],
        notes: [],
        ...result,
      };
    },
  };
}

function target(documents: FakeDocuments, checkpointer: ReturnType<typeof fakeCheckpointer>) {
  return {
    workspace: workspace.root,
    checkpointer,
    read: async (file: string) => documents.openText(file) ?? (await documents.readDisk(file)),
    replaceAndSave: documents.replaceAndSave.bind(documents),
    remove: documents.remove.bind(documents),
  };
}

describe("undoLastRun", () => {
  it("puts the run's files back through the editor, then lets the checkpointer mark the run undone", async () => {
    workspace = tempWorkspace({ "calc.py": "return a + b\n", "new.txt": "made by the run\n" });
    const documents = new FakeDocuments();
    documents.open.set(workspace.file("calc.py"), "return a + b\n");
    const writes = new Map<string, RecordedWrite>([
      [
        workspace.file("calc.py"),
        { path: workspace.file("calc.py"), before: "return a - b\n", after: "return a + b\n" },
      ],
      [
        workspace.file("new.txt"),
        { path: workspace.file("new.txt"), before: undefined, after: "made by the run\n" },
      ],
    ]);
    const checkpointer = fakeCheckpointer("run-1", { unchanged: ["calc.py", "new.txt"] });
    const result = await undoLastRun(target(documents, checkpointer), {
      runId: "run-1",
      sessionId: "s",
      writes,
    });
    expect(documents.open.get(workspace.file("calc.py"))).toBe("return a - b\n");
    expect(readFileSync(workspace.file("calc.py"), "utf8")).toBe("return a - b\n");
    expect(documents.removed).toEqual([workspace.file("new.txt")]);
    expect(checkpointer.undone).toEqual(["run-1"]);
    expect(result).toMatchObject({ restored: ["calc.py"], deleted: ["new.txt"], unchanged: [] });
  });

  it("leaves a file changed since the run to the checkpointer, which reports the conflict", async () => {
    workspace = tempWorkspace({ "calc.py": "edited by the person\n" });
    const documents = new FakeDocuments();
    const writes = new Map<string, RecordedWrite>([
      [
        workspace.file("calc.py"),
        { path: workspace.file("calc.py"), before: "old\n", after: "by the run\n" },
      ],
    ]);
    const conflicts = [
      { path: "calc.py", reason: "It was changed after the run by someone else." },
    ];
    const checkpointer = fakeCheckpointer("run-1", { conflicts });
    const result = await undoLastRun(target(documents, checkpointer), {
      runId: "run-1",
      sessionId: "s",
      writes,
    });
    expect(documents.edits).toEqual([]);
    expect(readFileSync(workspace.file("calc.py"), "utf8")).toBe("edited by the person\n");
    expect(result?.conflicts).toEqual(conflicts);
  });

  it("undoes the workspace's latest checkpoint on disk when this window ran nothing", async () => {
    workspace = tempWorkspace();
    const documents = new FakeDocuments();
    const checkpointer = fakeCheckpointer("older-run", { restored: ["a.py"] });
    const result = await undoLastRun(target(documents, checkpointer), undefined);
    expect(checkpointer.undone).toEqual(["older-run"]);
    expect(result?.restored).toEqual(["a.py"]);
    expect(await undoLastRun(target(documents, checkpointer), undefined)).toBeUndefined();
  });
});
