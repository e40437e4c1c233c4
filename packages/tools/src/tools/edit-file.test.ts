import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, makeWorkspace, type TestWorkspace, value } from "../__fixtures__/workspace.js";
import { createEditFileTool } from "./edit-file.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

const tool = () => createEditFileTool({ root: ws.root });
const PY = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n";

describe("edit_file", () => {
  it("replaces text that occurs once and shows the changed lines", async () => {
    await ws.write({ "m.py": PY });
    const out = await value(tool(), {
      path: "m.py",
      old: "    return a - b",
      new: "    result = a - b\n    return result",
    });
    expect(out).toBe(
      "Edited m.py: 1 replacement at line 6.\n5| def sub(a, b):\n6|     result = a - b\n7|     return result\n8| ",
    );
    expect(await ws.read("m.py")).toBe(
      PY.replace("    return a - b", "    result = a - b\n    return result"),
    );
  });

  it("reports 0 matches with the closest lines and their numbers", async () => {
    await ws.write({ "m.py": PY });
    const message = await failure(tool(), {
      path: "m.py",
      old: "def sub(a, c):\n    return a - c",
      new: "x",
    });
    expect(message).toBe(
      [
        'old was not found in "m.py" (0 matches).',
        "Closest lines:",
        "4| ",
        "5| def sub(a, b):",
        "6|     return a - b",
        "7| ",
        "Copy the exact text (without the line numbers) or read_file again.",
      ].join("\n"),
    );
    expect(await ws.read("m.py")).toBe(PY);
  });

  it("says when only whitespace differs", async () => {
    await ws.write({ "m.py": PY });
    const message = await failure(tool(), {
      path: "m.py",
      old: "def add(a, b):\n  return a + b",
      new: "x",
    });
    expect(message).toContain("It matches lines 1-2 if spacing is ignored");
    expect(message).toContain("1| def add(a, b):\n2|     return a + b");
  });

  it("says when old carries read_file line numbers", async () => {
    await ws.write({ "m.py": PY });
    const message = await failure(tool(), {
      path: "m.py",
      old: "1| def add(a, b):\n2|     return a + b",
      new: "x",
    });
    expect(message).toContain("leave out the `12| ` prefixes");
  });

  it("says when nothing is similar", async () => {
    await ws.write({ "m.py": PY });
    expect(await failure(tool(), { path: "m.py", old: "zzzz qqqq", new: "x" })).toMatch(
      /No similar lines were found/,
    );
  });

  it("reports N matches with their lines, and replace_all replaces them all", async () => {
    await ws.write({ "m.py": PY });
    expect(await failure(tool(), { path: "m.py", old: "(a, b)", new: "(x, y)" })).toBe(
      'old occurs 2 times in "m.py" (lines 1, 5). Include more surrounding lines so it matches once, or set replace_all: true.',
    );
    expect(
      await value(tool(), { path: "m.py", old: "(a, b)", new: "(x, y)", replace_all: true }),
    ).toBe("Edited m.py: 2 replacements at lines 1, 5.");
    expect(await ws.read("m.py")).toBe(PY.replaceAll("(a, b)", "(x, y)"));
  });

  it("takes the replacement literally ($&, $1, $$ are not special)", async () => {
    await ws.write({ "a.txt": "price: X\nprice: Y\n" });
    await value(tool(), { path: "a.txt", old: "X", new: "$& $1 $$ $` $'" });
    await value(tool(), { path: "a.txt", old: "price", new: "$&$&", replace_all: true });
    expect(await ws.read("a.txt")).toBe("$&$&: $& $1 $$ $` $'\n$&$&: Y\n");
  });

  it("applies several edits in order, all or nothing", async () => {
    await ws.write({ "m.py": PY });
    const message = await failure(tool(), {
      path: "m.py",
      old: "def add",
      new: "def plus",
      edits: [
        { old: "def sub", new: "def minus" },
        { old: "def missing", new: "x" },
      ],
    });
    expect(message).toMatch(/^Edit 3 of 3 failed: old was not found in "m.py" \(0 matches\)\./);
    expect(message).toMatch(/No change was written\.$/);
    expect(await ws.read("m.py")).toBe(PY);

    expect(
      await value(tool(), {
        path: "m.py",
        old: "def add",
        new: "def plus",
        edits: [
          { old: "def sub", new: "def minus" },
          { old: "def plus(a, b)", new: "def plus(a, b=0)" },
        ],
      }),
    ).toBe("Edited m.py: 3 replacements at lines 1, 5, 1.");
    expect(await ws.read("m.py")).toBe(
      PY.replace("def add(a, b)", "def plus(a, b=0)").replace("def sub", "def minus"),
    );
  });

  it("keeps CRLF line ends and the byte-order mark", async () => {
    await ws.write({ "w.txt": "\uFEFFone\r\ntwo\r\nthree\r\n" });
    await value(tool(), { path: "w.txt", old: "one\ntwo", new: "1\n2\n2.5" });
    await value(tool(), { path: "w.txt", old: "three\r\n", new: "3\r\n" });
    expect(await ws.read("w.txt")).toBe("\uFEFF1\r\n2\r\n2.5\r\n3\r\n");
  });

  it("keeps the file mode", async () => {
    await ws.write({ "run.sh": "echo a\n" });
    await fs.chmod(path.join(ws.root, "run.sh"), 0o700);
    await value(tool(), { path: "run.sh", old: "a", new: "b" });
    if (process.platform !== "win32") {
      expect((await fs.stat(path.join(ws.root, "run.sh"))).mode & 0o777).toBe(0o700);
    }
  });

  it("refuses an empty or unchanged old text", async () => {
    await ws.write({ "a.txt": "abc" });
    expect(await failure(tool(), { path: "a.txt", old: "", new: "x" })).toMatch(/old is empty/);
    expect(await failure(tool(), { path: "a.txt", old: "b", new: "b" })).toMatch(/the same/);
  });

  it("explains missing, binary, folder and out-of-workspace targets", async () => {
    await ws.write({ "bin.dat": Buffer.from([1, 0, 2]), ".git/config": "x" });
    await fs.mkdir(path.join(ws.root, "dir"));
    expect(await failure(tool(), { path: "nope.txt", old: "a", new: "b" })).toBe(
      '"nope.txt" does not exist. To create a file use write_file.',
    );
    expect(await failure(tool(), { path: "bin.dat", old: "a", new: "b" })).toMatch(
      /binary file; it cannot be edited/,
    );
    expect(await failure(tool(), { path: "dir", old: "a", new: "b" })).toMatch(/is a folder/);
    expect(await failure(tool(), { path: ".git/config", old: "x", new: "y" })).toMatch(
      /inside \.git/,
    );
    await fs.symlink(path.join(ws.outside, "secret.txt"), path.join(ws.root, "s.txt"));
    expect(await failure(tool(), { path: "s.txt", old: "TOP", new: "NO" })).toMatch(
      /symbolic link/,
    );
    expect(await fs.readFile(path.join(ws.outside, "secret.txt"), "utf8")).toBe("TOP SECRET\n");
  });
});
