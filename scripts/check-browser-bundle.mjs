#!/usr/bin/env node
// Bundles @gemma-coder/core for the browser (esbuild --platform=browser) and runs the
// bundle where Node's built-ins do not exist: a bare vm context with only the web
// globals a browser has (no process, no require, no node: modules). The app is
// scripts/browser-bundle/entry.mjs: an Agent run with a scripted model and a tool.
//
//   node scripts/check-browser-bundle.mjs           # bundles the built dist/ (pnpm build first)
//   node scripts/check-browser-bundle.mjs --source  # bundles src/ (the "@gemma-coder/source" condition)
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Bundles the check's app for the browser and runs it in a context without Node.
 *
 * @param {{ source?: boolean }} options - Bundle src/ instead of dist/.
 * @returns {Promise<{ bytes: number, result: unknown }>} The bundle's size and the run's outcome.
 */
export async function bundleAndRunInBrowserContext(options = {}) {
  const output = await build({
    entryPoints: [path.join(root, "scripts", "browser-bundle", "entry.mjs")],
    bundle: true,
    platform: "browser",
    format: "iife",
    write: false,
    logLevel: "silent",
    conditions: options.source ? ["@gemma-coder/source"] : [],
  });
  const code = output.outputFiles[0].text;
  const context = vm.createContext({
    console,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    AbortController,
    AbortSignal,
    TextEncoder,
    TextDecoder,
    URL,
    crypto: globalThis.crypto,
    structuredClone,
    EventTarget,
    Event,
  });
  vm.runInContext(code, context);
  return { bytes: code.length, result: await context.browserBundleResult };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { bytes, result } = await bundleAndRunInBrowserContext({
    source: process.argv.includes("--source"),
  });
  const ok = result.status === "done" && result.summary === "2 + 3 = 5" && result.rulesInPrompt;
  console.log(`@gemma-coder/core browser bundle: ${bytes} bytes, run ${JSON.stringify(result)}`);
  if (!ok) process.exit(1);
}
