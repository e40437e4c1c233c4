// CLI start-up and one-shot run cost, next to bare node on the same machine.
//
//   node packages/cli/bench/startup.mjs        (after `pnpm build`; also run by `pnpm bench`)
//
// Times are medians of several interleaved launches: wall clock from spawn to exit (or to
// the first request the loopback model server receives), and CPU time (user + system),
// which a busy machine skews less. Peak memory is the child's maximum resident set size.
// CPU time and peak memory come from `process.resourceUsage()` at exit, written by a
// tiny preloaded hook (the same for every command). Figures only: this script never
// fails on a number.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, machine, table } from "../../../bench/lib.mjs";
import { call, startModelServer } from "../src/__fixtures__/model-server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, "..", "bin", "gemma-coder.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

if (!existsSync(path.join(here, "..", "dist", "index.js"))) {
  console.log("packages/cli/dist is missing: run `pnpm build` first. Skipped.");
  process.exit(0);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

// Preloaded into every child: writes its peak RSS (KiB) and CPU time (ms) to a file at exit.
const rssHook = path.join(os.tmpdir(), `gemma-coder-rss-hook-${process.pid}.cjs`);
writeFileSync(
  rssHook,
  `process.on("exit", () => { const u = process.resourceUsage(); require("node:fs").writeFileSync(process.env.RSS_OUT, u.maxRSS + " " + (u.userCPUTime + u.systemCPUTime) / 1000); });\n`,
);

/** Runs one child; resolves with its wall time (ms), CPU time (ms), peak RSS (KiB) and output. */
function launch(args, { cwd, env, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const rssFile = path.join(os.tmpdir(), `gemma-coder-rss-${process.pid}-${Math.random()}`);
    const childEnv = { ...process.env, ...env, RSS_OUT: rssFile };
    const command = process.execPath;
    const argv = ["-r", rssHook, ...args];
    const started = performance.now();
    const startedAt = Date.now();
    const child = spawn(command, argv, { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    onSpawn?.(startedAt);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      let rssKiB;
      let cpuMs;
      if (existsSync(rssFile)) {
        const [rss, cpu] = readFileSync(rssFile, "utf8").split(" ");
        rssKiB = Number(rss);
        cpuMs = Number(cpu);
        rmSync(rssFile, { force: true });
      }
      resolve({ ms, cpuMs, rssKiB, code, stdout, stderr, startedAt });
    });
  });
}

/**
 * Times several commands with their launches interleaved (a, b, c, a, b, c, ...), so a
 * machine that gets busier or quieter during the benchmark skews them all alike.
 */
async function measureAll(commands) {
  const runs = commands.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [index, args] of commands.entries()) runs[index].push(await launch(args));
  }
  return runs.map((list) => ({
    ms: median(list.map((r) => r.ms)),
    cpuMs: median(list.map((r) => r.cpuMs)),
    rssMiB: Math.max(...list.map((r) => r.rssKiB)) / 1024,
  }));
}

function tempRepo() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-bench-"));
  writeFileSync(path.join(dir, "calc.py"), "def add(a, b):\n    return a - b\n");
  return dir;
}

const script = () => [
  call("read_file", { path: "calc.py" }),
  call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
  call("done", { summary: "add() adds." }),
];

/** One one-shot run against a fresh scripted server; times are relative to spawn. */
async function oneShot({ detect }) {
  const server = await startModelServer({ replies: script() });
  const cwd = tempRepo();
  const config = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-bench-config-"));
  const env = {
    XDG_CONFIG_HOME: config,
    GEMMA_CODER_CACHE_DIR: path.join(config, "cache"),
    NO_COLOR: "1",
    OPENROUTER_API_KEY: "",
    ...(detect ? { OLLAMA_HOST: server.url } : {}),
  };
  const args = detect
    ? [bin, "--yes", "fix add"]
    : [bin, "--provider", "ollama", "--base-url", server.url, "--yes", "fix add"];
  try {
    const run = await launch(args, { cwd, env });
    if (run.code !== 0) throw new Error(`the run exited with ${run.code}: ${run.stderr}`);
    return {
      firstRequestMs: server.firstRequestAt - run.startedAt,
      firstChatMs: server.firstChatAt - run.startedAt,
      totalMs: run.ms,
      rssMiB: run.rssKiB === undefined ? Number.NaN : run.rssKiB / 1024,
    };
  } finally {
    await server.close();
    rmSync(cwd, { recursive: true, force: true });
    rmSync(config, { recursive: true, force: true });
  }
}

/** Both one-shot variants, interleaved like {@link measureAll}. */
async function measureRuns() {
  const variants = [false, true];
  const runs = variants.map(() => []);
  for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)); i++) {
    for (const [index, detect] of variants.entries()) runs[index].push(await oneShot({ detect }));
  }
  return runs.map((list) => ({
    firstRequestMs: median(list.map((r) => r.firstRequestMs)),
    firstChatMs: median(list.map((r) => r.firstChatMs)),
    totalMs: median(list.map((r) => r.totalMs)),
    rssMiB: Math.max(...list.map((r) => r.rssMiB)),
  }));
}

console.log(`machine: ${machine()}`);
console.log(
  `runs: ${RUNS} interleaved launches per figure (median times; CPU = user + system, less sensitive to a busy machine than wall time); peak RSS: the largest seen; both from process.resourceUsage() at exit`,
);

const [bare, version, help] = await measureAll([
  ["-e", "0"],
  [bin, "--version"],
  [bin, "--help"],
]);
table(
  "Start-up (target: --version within 1.3x of bare node's time, under 60 MiB)",
  [
    "command",
    "median wall ms",
    "x bare node",
    "median CPU ms",
    "x bare node (CPU)",
    "peak RSS MiB",
  ],
  [bare, version, help].map((r, i) => [
    ["node -e 0", "gemma-coder --version", "gemma-coder --help"][i],
    fmt(r.ms, 1),
    fmt(r.ms / bare.ms),
    fmt(r.cpuMs, 1),
    fmt(r.cpuMs / bare.cpuMs),
    fmt(r.rssMiB, 1),
  ]),
);

const [configured, detected] = await measureRuns();
table(
  "One-shot run against a loopback scripted Ollama server (target: first request within 300 ms, peak under 80 MiB)",
  [
    "run",
    "launch → first request ms",
    "launch → first /api/chat ms",
    "whole run ms",
    "peak RSS MiB",
  ],
  [
    [
      "--provider ollama --base-url …",
      fmt(configured.firstRequestMs, 0),
      fmt(configured.firstChatMs, 0),
      fmt(configured.totalMs, 0),
      fmt(configured.rssMiB, 1),
    ],
    [
      "detected (OLLAMA_HOST)",
      fmt(detected.firstRequestMs, 0),
      fmt(detected.firstChatMs, 0),
      fmt(detected.totalMs, 0),
      fmt(detected.rssMiB, 1),
    ],
  ],
);
rmSync(rssHook, { force: true });
