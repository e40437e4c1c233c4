import { readFileSync } from "node:fs";
import { createTools } from "@gemma-coder/tools";
import { afterEach, describe, expect, it } from "vitest";
import { FakeDocuments } from "./__fixtures__/fake-documents.js";
import { tempWorkspace } from "./__fixtures__/temp-workspace.js";
import { createWorkspaceFs, type RecordedWrite } from "./workspace-fs.js";

const context = { signal: new AbortController().signal, runId: "r", step: 1 };
let workspace: ReturnType<typeof tempWorkspace>;
afterEach(() => workspace.dispose());

function toolsOver(documents: FakeDocuments, writes: RecordedWrite[] = []) {
  const fs = createWorkspaceFs(documents, (write) => writes.push(write));
  const tools = createTools({ root: workspace.root, fs });
  const byName = (name: string) => tools.find((tool) => tool.name === name)!;
  return { fs, byName };
}

describe("createWorkspaceFs", () => {
  it("gives the agent an open document's unsaved text, not the disk's", async () => {
    workspace = tempWorkspace({ "a.py": "on disk\n" });
    const documents = new FakeDocuments();
    documents.open.set(workspace.file("a.py"), "unsaved buffer\n");
    const { byName } = toolsOver(documents);
    const read = await byName("read_file").execute({ path: "a.py" }, context);
    expect(String(read)).toContain("unsaved buffer");
    expect(String(read)).not.toContain("on disk");
  });

  it("reads the disk when the file is not open", async () => {
    workspace = tempWorkspace({ "a.py": "on disk\n" });
    const { fs } = toolsOver(new FakeDocuments());
    expect(await fs.readTextFile(workspace.file("a.py"))).toBe("on disk\n");
  });

  it("applies an edit to the unsaved buffer through the editor and records what it replaced", async () => {
    workspace = tempWorkspace({ "a.py": "x = 1\n" });
    const documents = new FakeDocuments();
    documents.open.set(workspace.file("a.py"), "x = 1\ny = 2\n");
    const writes: RecordedWrite[] = [];
    const { byName } = toolsOver(documents, writes);
    await byName("edit_file").execute({ path: "a.py", old: "y = 2", new: "y = 3" }, context);
    expect(documents.edits).toEqual([
      { path: workspace.file("a.py"), content: "x = 1\ny = 3\n", create: false },
    ]);
    expect(documents.open.get(workspace.file("a.py"))).toBe("x = 1\ny = 3\n");
    expect(readFileSync(workspace.file("a.py"), "utf8")).toBe("x = 1\ny = 3\n");
    expect(writes).toEqual([
      { path: workspace.file("a.py"), before: "x = 1\ny = 2\n", after: "x = 1\ny = 3\n" },
    ]);
  });

  it("creates a missing file through the editor", async () => {
    workspace = tempWorkspace();
    const documents = new FakeDocuments();
    const writes: RecordedWrite[] = [];
    const { byName } = toolsOver(documents, writes);
    await byName("write_file").execute({ path: "new.txt", content: "hello\n" }, context);
    expect(documents.edits).toEqual([
      { path: workspace.file("new.txt"), content: "hello\n", create: true },
    ]);
    expect(writes[0]?.before).toBeUndefined();
  });

  it("reports a refused edit as a failed write, and records nothing", async () => {
    workspace = tempWorkspace({ "a.py": "x = 1\n" });
    const documents = new FakeDocuments();
    documents.refuse = true;
    const writes: RecordedWrite[] = [];
    const { byName } = toolsOver(documents, writes);
    await expect(
      byName("write_file").execute({ path: "a.py", content: "x = 2\n" }, context),
    ).rejects.toThrow(/did not apply the change/);
    expect(writes).toEqual([]);
    expect(readFileSync(workspace.file("a.py"), "utf8")).toBe("x = 1\n");
  });

  it("does nothing once the run is aborted", async () => {
    workspace = tempWorkspace({ "a.py": "x = 1\n" });
    const documents = new FakeDocuments();
    const fs = createWorkspaceFs(documents);
    const abort = new AbortController();
    abort.abort();
    await expect(
      fs.writeTextFile(workspace.file("a.py"), "x = 2\n", abort.signal),
    ).rejects.toThrow();
    expect(documents.edits).toEqual([]);
  });
});
