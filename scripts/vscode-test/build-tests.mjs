// Bundles in-host test files (TypeScript) into CommonJS files the extension host can
// `require`: `vscode` stays external (the host provides it), everything else is inlined.
import path from "node:path";
import { build } from "esbuild";

/**
 * Bundles each entry to `<outDir>/<name>.js`.
 *
 * @param {{ name: string, entry: string }[]} entries - Absolute entry paths.
 * @param {string} outDir - Where the bundles go: a folder without a package.json above it
 *   that says `"type": "module"`, so `.js` is CommonJS, as the extension host loads it.
 * @returns {Promise<Map<string, string>>} Each name's bundle path.
 */
export async function bundleTests(entries, outDir) {
  const built = new Map();
  for (const { name, entry } of entries) {
    const outfile = path.join(outDir, `${name}.js`);
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      external: ["vscode"],
      sourcemap: "inline",
      logLevel: "warning",
    });
    built.set(name, outfile);
  }
  return built;
}
