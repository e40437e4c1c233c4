#!/usr/bin/env node
// The gemma-coder launcher. It is CommonJS (see bin/package.json) and answers --version
// and --help itself, synchronously and loading nothing else, so those stay as fast as bare
// node. Everything else loads the built CLI (ES modules) on demand.
"use strict";

const argv = process.argv.slice(2);
const end = argv.indexOf("--");
const flags = end === -1 ? argv : argv.slice(0, end);

if (flags.includes("--version") || flags.includes("-v")) {
  const { readFileSync } = require("node:fs");
  const { join } = require("node:path");
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else if (flags.includes("--help") || flags.includes("-h")) {
  process.stdout.write(require("../dist/help.cjs").HELP_TEXT);
} else {
  run();
}

async function run() {
  // Loading the providers' HTTP library also loads Node's built-in fetch, which compiles
  // its WebAssembly HTTP parser at once. Optimising that code in the background costs
  // about 25 MB of transient memory and buys nothing here (the CLI talks to the model
  // through node:http), so WebAssembly stays on the baseline compiler.
  require("node:v8").setFlagsFromString("--liftoff-only");
  let cli;
  try {
    cli = await import("../dist/index.js");
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
    process.stderr.write(
      `gemma-coder: the CLI is not built (${error.message}). Run \`pnpm build\` in the repository first.\n`,
    );
    process.exit(2);
  }
  let code;
  try {
    code = await cli.main(argv, { handleSignals: true });
  } catch (error) {
    process.stderr.write(`gemma-coder: internal error: ${error?.stack ?? error}\n`);
    code = 1;
  }
  process.exitCode = code;
  // Nothing should keep the process alive now; if something does (a socket a server kept
  // open), leave anyway once output had a moment to drain.
  setTimeout(() => process.exit(code), 1000).unref();
}
