import { promises as fs } from "node:fs";
import path from "node:path";
import { createTools } from "@gemma-coder/tools";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, type FixtureCopy } from "../__fixtures__/copy-fixture.js";
import { runTool } from "../__fixtures__/run-tool.js";
import { RepoMap } from "../repo-map.js";
import { EditChecker, type EditCheckerOptions } from "./edit-checker.js";
import { withEditChecks } from "./with-edit-checks.js";

let fixture: FixtureCopy | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

const NODE = JSON.stringify(process.execPath);
// A stand-in linter: prints `<file>:<line>: BAD` for every line holding BAD, exit 1 if any.
const LINTER = `
const fs = require("node:fs");
let bad = 0;
for (const file of process.argv.slice(2)) {
  fs.readFileSync(file, "utf8").split("\\n").forEach((line, i) => {
    if (line.includes("BAD")) { bad++; console.log(file + ":" + (i + 1) + ": BAD found"); }
  });
}
process.exit(bad > 0 ? 1 : 0);
`;

async function setUp(options: Partial<EditCheckerOptions> = {}) {
  fixture = await copyFixture();
  await fixture.write("lint.cjs", LINTER);
  const checker = new EditChecker({ root: fixture.root, ...options });
  const map = new RepoMap({ root: fixture.root, cacheDir: fixture.cache });
  const tools = withEditChecks(createTools({ root: fixture.root }), {
    root: fixture.root,
    checker,
    map,
  });
  return { tools, map, fixture };
}

describe("the check after every edit", () => {
  it("reports the syntax error an edit leaves, in the same tool result, in each language", async () => {
    const { tools } = await setUp();
    const edits: Array<[file: string, find: string, replace: string, line: number]> = [
      ["inventory/report.py", '    return "\\n".join(lines)', '    return "\\n".join(lines', 6],
      ["web/src/cart.ts", "    this.lines.push(item);", "    this.lines.push(item;", 14],
      ["web/src/checkout.tsx", "</button>", "</butto", 5],
      ["web/legacy/util.js", "export class Money {", "export class Money", 5],
      ["svc/ledger.go", "\treturn &Ledger{}", "\treturn &Ledger{", 12],
      ["engine/src/lib.rs", "input.len() as u32 * self.weight", "input.len() as u32 * ", 17],
      ["jvm/src/Billing.java", "        charged += cents;", "        charged += ;", 11],
      ["native/hash.c", "        hash *= 16777619u;", "        hash *= ;", 7],
      ["native/cache.cpp", "    *value = found->second;", "    *value = found->;", 12],
    ];
    for (const [file, find, replace, line] of edits) {
      const result = await runTool(tools, "edit_file", { path: file, old: find, new: replace });
      expect(result.ok, `${file}: ${result.text}`).toBe(true);
      expect(result.text, file).toMatch(
        new RegExp(
          `Your edit left (a syntax error|\\d+ syntax errors) in ${file.replace(/\./g, "\\.")}:`,
        ),
      );
      expect(result.text, file).toContain(`line ${line}`);
    }
  });

  it("reports nothing for a clean edit, and only new errors where there were some already", async () => {
    const { tools, fixture } = await setUp();
    const clean = await runTool(tools, "write_file", {
      path: "app.py",
      content: "def f():\n    return 1\n",
    });
    expect(clean).toEqual({ ok: true, text: "Created app.py (2 lines, 22 bytes)." });
    await fixture.write("old.py", "def broken(:\n    pass\n\ndef g():\n    return 2\n");
    const unrelated = await runTool(tools, "edit_file", {
      path: "old.py",
      old: "return 2",
      new: "return 3",
    });
    expect(unrelated.text).not.toContain("syntax error");
    const worse = await runTool(tools, "edit_file", {
      path: "old.py",
      old: "return 3",
      new: "return (3",
    });
    expect(worse.text).toContain("Your edit left a syntax error in old.py:");
    expect(worse.text).not.toContain("broken");
  });

  it("runs the configured commands with {files} and reports only their new problems", async () => {
    const { tools, fixture } = await setUp({ verify: { python: [`${NODE} lint.cjs {files}`] } });
    await fixture.write("m.py", "x = 1  # BAD old\ny = 2\n");
    // The problem that was there before is not news, even after lines moved.
    const moved = await runTool(tools, "write_file", {
      path: "m.py",
      content: "import os\nx = 1  # BAD old\ny = 2\n",
    });
    expect(moved.text).not.toContain("reports new problems");
    const added = await runTool(tools, "edit_file", {
      path: "m.py",
      old: "y = 2",
      new: "y = 2  # BAD new",
    });
    expect(added.text).toContain(`lint.cjs 'm.py'\` reports new problems:\nm.py:3: BAD found`);
    expect(added.text).not.toContain("m.py:2: BAD");
  });

  it("quotes file names so that a name can never run a command", async () => {
    const { tools, fixture } = await setUp({ verify: { python: [`${NODE} lint.cjs {files}`] } });
    const name = "a $(touch pwned) `touch pwned2`; touch pwned3 'x.py";
    const result = await runTool(tools, "write_file", { path: name, content: "y = 1  # BAD\n" });
    expect(result.text).toContain(": BAD found");
    for (const marker of ["pwned", "pwned2", "pwned3"]) {
      await expect(fs.stat(path.join(fixture.root, marker))).rejects.toThrow();
    }
  });

  it("stops a command at its timeout, and caps what it prints", async () => {
    const hang = `${NODE} -e "setInterval(() => {}, 1000)"`;
    const flood = `${NODE} -e "const fs = require('fs'); if (fs.existsSync('m.py') && fs.readFileSync('m.py', 'utf8').includes('FLOOD')) { for (let i = 0; i < 5000; i++) console.log('m.py:' + i + ': E' + i * 7); process.exit(1) }"`;
    const { tools } = await setUp({
      verify: { python: [{ command: hang, timeout: 1 }, flood] },
      maxOutputChars: 600,
    });
    const result = await runTool(tools, "write_file", {
      path: "m.py",
      content: "y = 1  # FLOOD\n",
    });
    expect(result.text).toContain("timed out after 1s");
    expect(result.text).toContain("reports new problems");
    expect(result.text).toMatch(/more characters of findings left out\)$/);
    expect(result.text.length).toBeLessThan(800);
  });

  it("does not pass secret-looking variables to the commands", async () => {
    process.env.GEMMA_REPOMAP_TEST_API_KEY = "sk-secret";
    try {
      const dump = `${NODE} -e "require('fs').writeFileSync('env.json', JSON.stringify(process.env))"`;
      const { tools, fixture } = await setUp({ verify: { python: dump } });
      await runTool(tools, "write_file", { path: "m.py", content: "y = 1\n" });
      const env = JSON.parse(await fixture.read("env.json"));
      expect(env.GEMMA_REPOMAP_TEST_API_KEY).toBeUndefined();
      expect(env.PATH).toBeDefined();
    } finally {
      delete process.env.GEMMA_REPOMAP_TEST_API_KEY;
    }
  });

  it("tells the map which files were edited", async () => {
    const { tools, map } = await setUp();
    await runTool(tools, "edit_file", {
      path: "svc/main.go",
      old: '"cash", 100',
      new: '"cash", 200',
    });
    const { text } = await map.render({ maxTokens: 60 });
    expect(text.split("\n")[0]).toBe("svc/ledger.go:");
  });

  it("checks what the edit wrote where the tools write (an editor's buffers), not the disk", async () => {
    fixture = await copyFixture();
    const root = fixture.root;
    const buffers = new Map<string, string>();
    const editor = {
      readTextFile: async (file: string) => buffers.get(file) ?? fs.readFile(file, "utf8"),
      writeTextFile: async (file: string, content: string) => void buffers.set(file, content),
    };
    const checker = new EditChecker({ root, fs: editor });
    const tools = withEditChecks(createTools({ root, fs: editor }), { root, checker });
    const result = await runTool(tools, "edit_file", {
      path: "svc/ledger.go",
      old: "\treturn &Ledger{}",
      new: "\treturn &Ledger{",
    });
    expect(await fixture.read("svc/ledger.go")).toContain("\treturn &Ledger{}");
    expect(result.text).toMatch(/Your edit left .*syntax errors? in svc\/ledger.go/);
  });
});
