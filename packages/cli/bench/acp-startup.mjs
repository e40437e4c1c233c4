// How fast `gemma-coder acp` is ready for an editor: wall time from spawn until the answer
// to `initialize` arrives on stdout, next to `gemma-coder --version` and bare node.
//
//   node packages/cli/bench/acp-startup.mjs        (after `pnpm build`)
//
// Launches are interleaved (a, b, c, a, b, c, ...) so a machine that gets busier or
// quieter skews them alike; the figures are medians. Figures only: this script never
// fails on a number. BENCH_RUNS sets the launches per figure (default 9).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
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

const INITIALIZE = `${JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: 1, clientCapabilities: {} },
})}\n`;

// The CLI's own start for a task: launch until its first request reaches a loopback model.
const model = await startModelServer({
  replies: Array.from({ length: 1000 }, () => call("done", { summary: "ok" })),
});

/**
 * Spawns one child; resolves with the ms until it exited, until `initialize` was answered
 * (`acp`), or until the model server saw its first request (`firstRequest`).
 */
function launch(args, { acp = false, firstRequest = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const seen = model.requests.length;
    const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "ignore"] });
    if (firstRequest) {
      const poll = setInterval(() => {
        if (model.requests.length > seen) {
          clearInterval(poll);
          const ms = performance.now() - started;
          child.kill("SIGKILL");
          child.on("close", () => resolve(ms));
        }
      }, 2);
      child.stdin.end();
      return;
    }
    let stdout = "";
    let answeredMs;
    child.on("error", reject);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (acp && answeredMs === undefined && stdout.includes('"id":1')) {
        answeredMs = performance.now() - started;
        child.stdin.end();
      }
    });
    if (acp) child.stdin.write(INITIALIZE);
    else child.stdin.end();
    child.on("close", () => {
      const ms = acp ? answeredMs : performance.now() - started;
      if (ms === undefined) reject(new Error(`no answer to initialize: ${stdout}`));
      else resolve(ms);
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const commands = [
  { label: "node -e 0", args: ["-e", "0"] },
  { label: "gemma-coder --version", args: [bin, "--version"] },
  { label: "gemma-coder acp → initialize answered", args: [bin, "acp"], acp: true },
  {
    label: 'gemma-coder "task" → first model request',
    args: [bin, "--provider", "ollama", "--base-url", model.url, "--no-session", "task"],
    firstRequest: true,
  },
];
const times = commands.map(() => []);
await launch(commands[2].args, { acp: true }); // warm the file cache
for (let run = 0; run < RUNS; run++) {
  for (const [i, command] of commands.entries()) {
    times[i].push(await launch(command.args, command));
  }
}
const medians = times.map(median);
console.log(`machine: ${machine()}`);
console.log(`runs: ${RUNS} interleaved launches per figure (median wall time)`);
table(
  "gemma-coder acp: launch to initialize answered",
  ["command", "median wall ms", "x bare node", "x --version"],
  commands.map((command, i) => [
    command.label,
    fmt(medians[i], 1),
    fmt(medians[i] / medians[0]),
    fmt(medians[i] / medians[1]),
  ]),
);
await model.close();
