// Records the demo session and generates src/demo/demo-assets.ts from demo/.
//
// The transcript is written for the purpose: scripted replies (what a good model would
// say) drive the real agent loop and the real tools on a scratch copy of demo/repo, so
// every tool result in it is genuine. Run after changing demo/repo or the replies:
//
//   pnpm --filter @gemma-coder/sessions build:demo
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Agent, type ChatMessage, type TranscriptRecord } from "@gemma-coder/core";
import { hashMessages, parseTranscript } from "@gemma-coder/core/internal";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { createTools } from "@gemma-coder/tools";
import { FileSessionStore } from "../src/store/file-session-store.js";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = path.join(packageDir, "demo", "repo");
const transcriptFile = path.join(packageDir, "demo", "transcript.jsonl");
const assetsFile = path.join(packageDir, "src", "demo", "demo-assets.ts");

const TASK =
  "The tests fail: paginate() returns the wrong page. Fix the bug in src/paginate.js so that `node --test` passes.";

const REPLIES = [
  `Let me run the tests to see what fails.\n${toolCallText("run_shell", { command: "node --test" })}`,
  `Page 1 comes back as [3, 4] instead of [1, 2], so the start index is off by one page. Let me read the code.\n${toolCallText("read_file", { path: "src/paginate.js" })}`,
  `Pages are numbered from 1, so page 1 must start at index 0, not at \`size\`.\n${toolCallText(
    "edit_file",
    {
      path: "src/paginate.js",
      old: "  const start = page * size;",
      new: "  const start = (page - 1) * size;",
    },
  )}`,
  `Now the tests again.\n${toolCallText("run_shell", { command: "node --test" })}`,
  toolCallText("done", {
    summary:
      "Fixed an off-by-one in paginate(): pages are numbered from 1, so page p starts at index (p - 1) * size. All 3 tests pass (node --test).",
  }),
];

/** Files of a folder, relative, with `/` separators, sorted. */
export async function readTree(dir: string, prefix = ""): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(files, await readTree(path.join(dir, entry.name), rel));
    else files[rel] = await fs.readFile(path.join(dir, entry.name), "utf8");
  }
  return files;
}

/** Replaces the scratch folder's path, fixes the clock and recomputes the request hashes. */
async function sanitize(records: TranscriptRecord[], scratch: string): Promise<TranscriptRecord[]> {
  const replaced = JSON.parse(
    JSON.stringify(records).split(scratch).join("/demo"),
  ) as TranscriptRecord[];
  let history: ChatMessage[] = [];
  const start = Date.UTC(2025, 0, 1, 12, 0, 0);
  const out: TranscriptRecord[] = [];
  for (const [index, record] of replaced.entries()) {
    const next = { ...record, time: start + index * 250 } as TranscriptRecord;
    if (next.type === "session") delete (next as { workspace?: string }).workspace;
    if (next.type === "request") {
      history = [...history.slice(0, next.base), ...next.messages];
      next.hash = await hashMessages(history);
    }
    out.push(next);
  }
  return out;
}

async function main(): Promise<void> {
  const files = await readTree(repoDir);
  const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "gemma-demo-build-")));
  try {
    const scratch = path.join(base, "repo");
    for (const [rel, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(scratch, rel)), { recursive: true });
      await fs.writeFile(path.join(scratch, rel), text);
    }
    const store = new FileSessionStore({ dir: path.join(base, "sessions") });
    const agent = new Agent({
      provider: createScriptedModel(
        REPLIES.map((text) => ({ text, usage: { outputTokens: Math.ceil(text.length / 4) } })),
      ),
      tools: createTools({ root: scratch }),
      workspace: scratch,
      session: store,
    });
    const result = await agent.run(TASK);
    if (result.status !== "done") throw new Error(`The demo run failed: ${result.message}`);
    const check = spawnSync(process.execPath, ["--test"], { cwd: scratch, encoding: "utf8" });
    if (check.status !== 0) throw new Error(`The fixed demo's tests fail:\n${check.stdout}`);
    const text = await fs.readFile(store.pathOf(result.sessionId ?? ""), "utf8");
    const records = await sanitize(parseTranscript(text).records, scratch);
    const transcript = records.map((record) => `${JSON.stringify(record)}\n`).join("");
    await fs.writeFile(transcriptFile, transcript);
    const module = [
      "// Generated by scripts/build-demo.ts from demo/: do not edit by hand.",
      "",
      "/** The files of the demo repository, by relative path. @internal */",
      `export const DEMO_FILES: Readonly<Record<string, string>> = ${JSON.stringify(files, null, 2)};`,
      "",
      "/** The task of the recorded demo session. @internal */",
      `export const DEMO_TASK = ${JSON.stringify(TASK)};`,
      "",
      "/** The recorded demo session (JSONL). @internal */",
      `export const DEMO_TRANSCRIPT = ${JSON.stringify(transcript)};`,
      "",
    ].join("\n");
    await fs.mkdir(path.dirname(assetsFile), { recursive: true });
    await fs.writeFile(assetsFile, module);
    const biome = path.resolve(packageDir, "../../node_modules/.bin/biome");
    spawnSync(biome, ["format", "--write", assetsFile, "scripts"], {
      cwd: packageDir,
      stdio: "inherit",
    });
    process.stdout.write(
      `Recorded ${records.length} records in ${path.relative(process.cwd(), transcriptFile)}.\n`,
    );
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
}

await main();
