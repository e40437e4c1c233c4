import { GemmaCoderError } from "../errors/gemma-coder-error.js";

/**
 * Whether this runtime provides Node's built-in modules (Node itself, and Deno and Bun
 * through their Node compatibility).
 *
 * @returns `true` when `node:` modules can be imported.
 */
export function hasNodeBuiltins(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: unknown } } }).process
    ?.versions;
  return typeof versions?.node === "string";
}

/**
 * Imports a Node built-in module (`node:fs/promises`, `node:path`) at run time. The
 * specifier is not a literal on purpose: bundlers (and the package build, which would
 * strip the `node:` prefix) leave it alone, so the core bundles for a browser or an
 * edge worker, where the Node-only code paths are never taken.
 *
 * @param name - The module, with its `node:` prefix.
 * @param needsIt - What needs the module, for the error outside Node.
 * @returns The module's namespace.
 * @throws GemmaCoderError `unsupported` when the runtime has no Node built-ins.
 */
export async function importNodeBuiltin<Module>(
  name: `node:${string}`,
  needsIt: string,
): Promise<Module> {
  if (!hasNodeBuiltins()) {
    throw new GemmaCoderError(
      `${needsIt} needs Node's ${name}, which this runtime does not have.`,
      {
        code: "unsupported",
      },
    );
  }
  const specifier: string = name;
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as Module;
}
