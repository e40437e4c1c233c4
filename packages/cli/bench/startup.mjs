// CLI start-up and one-shot run cost, next to bare node on the same machine.
//
//   node packages/cli/bench/startup.mjs        (after `pnpm build`; also run by `pnpm bench`)
//
// Times are medians of several launches (wall clock from spawn to exit, or to the first
// request the loopback model server receives). Peak memory is the child's maximum
// resident set size, from GNU `/usr/bin/time -f %M` when present, else from
// `process.resourceUsage().maxRSS` reported by a preloaded hook. Figures only: this
// script never fails on a number.
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
const GNU_TIME = "/usr/bin/time";
const hasGnuTime = existsSync(GNU_TIME);

if (!existsSync(path.join(here, "..", "dist", "index.js"))) {
  console.log("packages/cli/dist is missing: run `pnpm build` first. Skipped.");
  process.exit(0);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

// Writes the child's peak RSS to a file at exit, for machines without GNU time.
const rssHook = path.join(os.tmpdir(), `gemma-coder-rss-hook-${process.pid}.cjs`);
writeFileSync(
  rssHook,
  `process.on("exit", () => require("node:fs").writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)));\n`,
);

/** Runs one child; resolves with its wall time (ms), peak RSS (KiB) and output. */
function launch(args, { cwd, env, measureMemory, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    let command = process.execPath;
    let argv = args;
    const childEnv = { ...process.env, ...env };
    let rssFile;
    if (measureMemory && hasGnuTime) {
      command = GNU_TIME;
      argv = ["-f", "__RSS__%M", process.execPath, ...args];
    } else if (measureMemory) {
      rssFile = path.join(os.tmpdir(), `gemma-coder-rss-${process.pid}-${Math.random()}`);
      argv = ["-r", rssHook, ...args];
      childEnv.RSS_OUT = rssFile;
    }
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
      const match = /__RSS__(\d+)/.exec(stderr);
      if (match) rssKiB = Number(match[1]);
      else if (rssFile && existsSync(rssFile)) {
        rssKiB = Number(readFileSync(rssFile, "utf8"));
        rmSync(rssFile, { force: true });
      }
      resolve({ ms, rssKiB, code, stdout, stderr, startedAt });
    });
  });
}

/**
 * Times several commands with their launches interleaved (a, b, c, a, b, c, ...), so a
 * machine that gets busier or quieter during the benchmark skews them all alike.
 */
async function measureAll(commands) {
  const times = commands.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [index, args] of commands.entries()) times[index].push((await launch(args)).ms);
  }
  const results = [];
  for (const [index, args] of commands.entries()) {
    const memory = [];
    for (let i = 0; i < 3; i++) memory.push((await launch(args, { measureMemory: true })).rssKiB);
    results.push({ ms: median(times[index]), rssMiB: Math.max(...memory) / 1024 });
  }
  return results;
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
async function oneShot({ detect, measureMemory }) {
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
    const run = await launch(args, { cwd, env, measureMemory });
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
  const timed = variants.map(() => []);
  for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)); i++) {
    for (const [index, detect] of variants.entries()) {
      timed[index].push(await oneShot({ detect, measureMemory: false }));
    }
  }
  const results = [];
  for (const [index, detect] of variants.entries()) {
    const memory = [];
    for (let i = 0; i < 3; i++)
      memory.push((await oneShot({ detect, measureMemory: true })).rssMiB);
    const runs = timed[index];
    results.push({
      firstRequestMs: median(runs.map((r) => r.firstRequestMs)),
      firstChatMs: median(runs.map((r) => r.firstChatMs)),
      totalMs: median(runs.map((r) => r.totalMs)),
      rssMiB: Math.max(...memory),
    });
  }
  return results;
}

console.log(`machine: ${machine()}`);
console.log(
  `runs: ${RUNS} launches per figure (median time), peak RSS: max of 3 (${hasGnuTime ? "GNU time" : "resourceUsage().maxRSS"})`,
);

const [bare, version, help] = await measureAll([
  ["-e", "0"],
  [bin, "--version"],
  [bin, "--help"],
]);
table(
  "Start-up (target: --version within 1.3x of bare node's time, under 60 MiB)",
  ["command", "median ms", "x bare node", "peak RSS MiB"],
  [
    ["node -e 0", fmt(bare.ms, 1), "1.00", fmt(bare.rssMiB, 1)],
    [
      "gemma-coder --version",
      fmt(version.ms, 1),
      fmt(version.ms / bare.ms),
      fmt(version.rssMiB, 1),
    ],
    ["gemma-coder --help", fmt(help.ms, 1), fmt(help.ms / bare.ms), fmt(help.rssMiB, 1)],
  ],
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
