#!/usr/bin/env node
// The gemma-coder launcher. It answers --version and --help itself, loading nothing else,
// so those stay as fast as bare node; everything else lazily loads the built CLI.
import { readFileSync } from "node:fs";

const argv = process.argv.slice(2);
const end = argv.indexOf("--");
const flags = end === -1 ? argv : argv.slice(0, end);

if (flags.includes("--version") || flags.includes("-v")) {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else if (flags.includes("--help") || flags.includes("-h")) {
  const { HELP_TEXT } = await import("../dist/help.js");
  process.stdout.write(HELP_TEXT);
} else {
  // Loading the providers' HTTP library also loads Node's built-in fetch, which compiles
  // its WebAssembly HTTP parser at once. Optimising that code in the background costs
  // about 25 MB of transient memory and buys nothing here (the CLI talks to the model
  // through node:http), so WebAssembly stays on the baseline compiler.
  const v8 = await import("node:v8");
  v8.setFlagsFromString("--liftoff-only");
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
