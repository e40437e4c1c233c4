// Overhead of the search tool compared with running rg directly on a large tree.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTools } from "@gemma-coder/tools";
import { fmt, machine, medianMs, table } from "./lib.mjs";

const FILES = 10_000;
const root = mkdtempSync(join(tmpdir(), "gc-bench-search-"));
try {
  for (let d = 0; d < 100; d++) {
    const folder = join(root, "src", `module_${d}`);
    mkdirSync(folder, { recursive: true });
    for (let f = 0; f < FILES / 100; f++) {
      const lines = Array.from(
        { length: 60 },
        (_, i) => `export function fn_${d}_${f}_${i}(value) { return value + ${i}; }`,
      );
      if (f % 37 === 0) lines.push("// TODO: handle the needle case");
      writeFileSync(join(folder, `file_${f}.ts`), `${lines.join("\n")}\n`);
    }
  }
  mkdirSync(join(root, "node_modules", "dep"), { recursive: true });
  writeFileSync(join(root, "node_modules", "dep", "index.js"), "// needle in an ignored folder\n");
  writeFileSync(join(root, ".gitignore"), "node_modules/\n");
  const sizeMb = (FILES * 60 * 50) / 1e6;

  const rows = [];
  const rg = spawnSync("rg", ["--version"]);
  if (rg.status === 0) {
    const ms = await medianMs(() =>
      spawnSync("rg", ["-n", "-e", "needle", "--", "."], { cwd: root, encoding: "utf8" }),
    );
    rows.push(["rg directly", fmt(ms, 0), "1.00"]);
  }
  const base = rows[0] ? Number(rows[0][1]) : undefined;
  for (const backend of ["rg", "grep", "js"]) {
    if (backend === "rg" && rg.status !== 0) continue;
    const search = createTools({ root, searchBackend: backend }).find((t) => t.name === "search");
    const context = { signal: new AbortController().signal, runId: "bench", step: 1 };
    let out = "";
    const ms = await medianMs(async () => {
      out = await search.execute({ pattern: "needle" }, context);
    }, 3);
    const hits = String(out)
      .split("\n")
      .filter((l) => l.includes("needle")).length;
    rows.push([
      `search tool (${backend} back-end), ${hits} hits`,
      fmt(ms, 0),
      base ? fmt(ms / base, 2) : "n/a",
    ]);
  }
  console.log(
    `machine: ${machine()}; tree: ${FILES} files, ~${fmt(sizeMb, 0)} MB, one ignored folder`,
  );
  if (rg.status !== 0) console.log("rg is not on PATH: install ripgrep to compare with it");
  table("Search tool overhead", ["run", "median ms", "x rg directly"], rows);
} finally {
  rmSync(root, { recursive: true, force: true });
}
