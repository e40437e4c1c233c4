// Repository map: a generated repository of 1,000 source files (six languages, calls
// across files) and the small polyglot fixture, each mapped cold (no cache, grammars not
// loaded), warm (a new process, the cache on disk), warm through the real
// `gemma-coder map` bin (the whole process, node's own start included), and in one
// long-lived process (again, and after one edit).
// Run: pnpm build && node bench/run.mjs repo-map
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, machine, table } from "../../../bench/lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
// The entry `gemma-coder map` loads: the map alone, without the tools and the edit check.
const dist = path.join(here, "..", "dist", "map.js");
const bin = path.join(here, "..", "..", "cli", "bin", "gemma-coder.js");
const fixture = path.join(here, "..", "src", "__fixtures__", "polyglot");
const RUNS = 5;

const LANGUAGES = [
  [
    "py",
    (i, peers) => [
      `from lib.m${peers[0]} import helper_${peers[0]}_0`,
      "",
      `class Service${i}:`,
      ...Array.from(
        { length: 5 },
        (_, k) =>
          `    def handle_${i}_${k}(self, value: int) -> int:\n        return helper_${peers[k % 3]}_${k}(value) + ${k}\n`,
      ),
      ...Array.from(
        { length: 5 },
        (_, k) => `def helper_${i}_${k}(value: int) -> int:\n    return value * ${k + 1}\n`,
      ),
    ],
  ],
  [
    "ts",
    (i, peers) => [
      `import { helper${peers[0]}_0 } from "./m${peers[0]}.js";`,
      `export interface Options${i} { depth: number; name: string }`,
      `export class Service${i} {`,
      ...Array.from(
        { length: 5 },
        (_, k) =>
          `  handle${k}(value: number, options: Options${i}): number {\n    return helper${peers[k % 3]}_${k}(value) + options.depth;\n  }`,
      ),
      "}",
      ...Array.from(
        { length: 5 },
        (_, k) =>
          `export function helper${i}_${k}(value: number): number {\n  return value * ${k + 1};\n}`,
      ),
    ],
  ],
  [
    "go",
    (i, peers) => [
      "package lib",
      `type Service${i} struct{ depth int }`,
      ...Array.from(
        { length: 5 },
        (_, k) =>
          `func (s *Service${i}) Handle${k}(value int) int {\n\treturn Helper${peers[k % 3]}_${k}(value) + s.depth\n}`,
      ),
      ...Array.from(
        { length: 5 },
        (_, k) => `func Helper${i}_${k}(value int) int {\n\treturn value * ${k + 1}\n}`,
      ),
    ],
  ],
  [
    "rs",
    (i, peers) => [
      `pub struct Service${i} { depth: i64 }`,
      `impl Service${i} {`,
      ...Array.from(
        { length: 5 },
        (_, k) =>
          `    pub fn handle_${k}(&self, value: i64) -> i64 {\n        helper_${peers[k % 3]}_${k}(value) + self.depth\n    }`,
      ),
      "}",
      ...Array.from(
        { length: 5 },
        (_, k) => `pub fn helper_${i}_${k}(value: i64) -> i64 {\n    value * ${k + 1}\n}`,
      ),
    ],
  ],
  [
    "java",
    (i, peers) => [
      "package lib;",
      `public class Service${i} {`,
      ...Array.from(
        { length: 5 },
        (_, k) =>
          `    public int handle${k}(int value) {\n        return Service${peers[k % 3]}.helper${peers[k % 3]}_${k}(value) + ${k};\n    }`,
      ),
      ...Array.from(
        { length: 5 },
        (_, k) =>
          `    public static int helper${i}_${k}(int value) {\n        return value * ${k + 1};\n    }`,
      ),
      "}",
    ],
  ],
  [
    "c",
    (i, peers) => [
      "#include <stdint.h>",
      `typedef struct { int depth; } Service${i};`,
      ...Array.from({ length: 5 }, (_, k) => `int helper${peers[k % 3]}_${k}(int value);`),
      ...Array.from(
        { length: 5 },
        (_, k) =>
          `int handle${i}_${k}(Service${i} *s, int value) {\n    return helper${peers[k % 3]}_${k}(value) + s->depth;\n}`,
      ),
      ...Array.from(
        { length: 5 },
        (_, k) => `int helper${i}_${k}(int value) {\n    return value * ${k + 1};\n}`,
      ),
    ],
  ],
];

function generateRepo(root, files) {
  for (let i = 0; i < files; i++) {
    const [ext, body] = LANGUAGES[i % LANGUAGES.length];
    const peers = [(i * 7 + 1) % files, (i * 13 + 5) % files, (i * 31 + 11) % files];
    const folder = path.join(root, `pkg${Math.floor(i / 50)}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `m${i}.${ext}`), `${body(i, peers).join("\n")}\n`);
  }
  writeFileSync(path.join(root, "README.md"), "# generated\n");
}

// One map in a fresh process: import, then render (which refreshes the index first, as
// for an agent's first request); prints the figures as JSON.
const CHILD = `
const started = performance.now();
const cpu = process.cpuUsage();
const { RepoMap } = await import(${JSON.stringify(dist)});
const imported = performance.now() - started;
const map = new RepoMap({ root: process.argv[1], cacheDir: process.argv[2] });
const rendered = await map.render({ task: process.argv[3], maxTokens: 1024 });
const stats = map.lastRefresh;
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, imported, stats, tokens: rendered.tokens, symbols: rendered.symbols }));
`;

function mapInChild(root, cache, task) {
  const result = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", CHILD, root, cache, task],
    {
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

// \`gemma-coder map\` as a user runs it, its cache in its own folder: the wall time of the
// whole process, from spawn to exit.
function mapThroughBin(root, cacheHome, task) {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [bin, "map", task, "--tokens", "1024", "--json", "-C", root],
    { encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: cacheHome } },
  );
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(result.stderr);
  return { ms, stats: JSON.parse(result.stdout).stats };
}

function bareNodeMs() {
  const started = performance.now();
  spawnSync(process.execPath, ["-e", "0"]);
  return performance.now() - started;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(name, root, task, editFile) {
  const base = mkdtempSync(path.join(os.tmpdir(), "gemma-map-cache-"));
  const cold = [];
  const warm = [];
  const coldCpu = [];
  const warmCpu = [];
  const imports = [];
  let last;
  for (let run = 0; run < RUNS; run++) {
    const cache = path.join(base, `c${run}`);
    last = mapInChild(root, cache, task);
    cold.push(last.ms);
    coldCpu.push(last.cpuMs);
    const again = mapInChild(root, cache, task);
    warm.push(again.ms);
    warmCpu.push(again.cpuMs);
    imports.push(again.imported);
  }
  const cacheHome = path.join(base, "bin");
  mapThroughBin(root, cacheHome, task);
  const throughBin = [];
  const bare = [];
  for (let run = 0; run < RUNS; run++) {
    const warmBin = mapThroughBin(root, cacheHome, task);
    if (warmBin.stats.parsed !== 0) throw new Error("the bin's warm run parsed files");
    throughBin.push(warmBin.ms);
    bare.push(bareNodeMs());
  }
  // After one edit, in the same process: only that file is parsed again.
  const { RepoMap } = await import(dist);
  const map = new RepoMap({ root, cacheDir: path.join(base, "edit") });
  await map.render({ task, maxTokens: 1024 });
  // Again with nothing changed, as each run of a long-lived process (an editor) does.
  const same = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    await map.render({ task, maxTokens: 1024 });
    same.push(performance.now() - start);
  }
  writeFileSync(editFile.path, `${editFile.text}\n`);
  const start = performance.now();
  await map.render({ task, maxTokens: 1024 });
  const edit = performance.now() - start;
  rmSync(base, { recursive: true, force: true });
  return [
    name,
    last.stats.files,
    `${fmt(median(cold), 0)} / ${fmt(median(coldCpu), 0)}`,
    `${fmt(median(warm), 0)} / ${fmt(median(warmCpu), 0)}`,
    fmt(median(imports), 0),
    `${fmt(median(throughBin), 0)} (${fmt(median(bare), 0)})`,
    fmt(median(same), 0),
    fmt(edit, 0),
    `${last.tokens} / ${last.symbols}`,
  ];
}

console.log(
  `machine: ${machine()}; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
const work = mkdtempSync(path.join(os.tmpdir(), "gemma-map-bench-"));
try {
  const large = path.join(work, "large");
  generateRepo(large, 1000);
  const small = path.join(work, "small");
  cpSync(fixture, small, { recursive: true });
  const rows = [
    await measure("generated, 1,000 source files", large, "make helper500_2 take a scale", {
      path: path.join(large, "pkg10", "m500.java"),
      text: "package lib;\npublic class Service500 { public static int helper500_2(int value, int scale) { return value * scale; } }",
    }),
    await measure("polyglot fixture", small, "score_all should skip empty inputs", {
      path: path.join(small, "engine", "src", "main.rs"),
      text: "fn main() { let e = Engine::new(3); }",
    }),
  ];
  table(
    `Repository map, median of ${RUNS} (ms; cold and warm each in a new process from import to rendered map, budget 1,024 tokens; CPU = user + system time of that process; the bin's figure is the whole process from spawn to exit, beside \`node -e 0\`'s)`,
    [
      "repository",
      "files",
      "cold: wall / CPU",
      "warm: wall / CPU",
      "of which loading modules",
      "warm, gemma-coder map process (bare node)",
      "warm, same process",
      "after one edit",
      "map tokens / definitions",
    ],
    rows,
  );
  console.log(
    `\nload average after: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
