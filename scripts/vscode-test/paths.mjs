// Where the VS Code test runner keeps things: the code-server install (a cache outside the
// pnpm workspace, so pnpm never sees its 300 MB of node_modules) and the artifacts a person
// looks at after a run (screenshots, logs).
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The code-server version the tests run in: the newest whose `engines.node` accepts Node 20. */
export const codeServerVersion = "4.100.3";

/**
 * The folder code-server is installed into: `$GEMMA_CODER_VSCODE_TEST_CACHE`, else
 * `<repo>/.cache/vscode-test` (git-ignored).
 *
 * @returns An absolute path.
 */
export function cacheDir() {
  const fromEnv = process.env.GEMMA_CODER_VSCODE_TEST_CACHE;
  return path.resolve(
    fromEnv && fromEnv.length > 0 ? fromEnv : path.join(repoRoot, ".cache", "vscode-test"),
  );
}

/**
 * The folder screenshots and logs of the runs are kept in: `<repo>/artifacts/vscode`
 * (git-ignored), or `$GEMMA_CODER_VSCODE_TEST_ARTIFACTS`.
 *
 * @returns An absolute path.
 */
export function artifactsDir() {
  const fromEnv = process.env.GEMMA_CODER_VSCODE_TEST_ARTIFACTS;
  return path.resolve(
    fromEnv && fromEnv.length > 0 ? fromEnv : path.join(repoRoot, "artifacts", "vscode"),
  );
}
