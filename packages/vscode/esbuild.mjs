// Bundles the extension host code into one CommonJS file (dist/extension.js, `vscode`
// external) and the chat view's browser code into dist/webview.js. `--production` minifies
// and drops source maps, for the .vsix.
import { build } from "esbuild";

const production = process.argv.includes("--production");
const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  logLevel: "warning",
  // The workspace packages mark themselves side-effect free; their chunk imports are fine to drop.
  logOverride: { "ignored-bare-import": "silent" },
  legalComments: "none",
};

await Promise.all([
  build({
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    platform: "node",
    target: "node20",
    format: "cjs",
    // The workspace packages are bundled from their built `dist/` (the published shape).
    conditions: ["node", "require", "default"],
    // `vscode` is the host's; node-llama-cpp (native, loaded only by the embedded engine,
    // which the extension never starts) stays out of the bundle.
    external: ["vscode", "node-llama-cpp"],
  }),
  build({
    ...common,
    entryPoints: ["src/webview/main.ts"],
    outfile: "dist/webview.js",
    platform: "browser",
    target: "es2022",
    format: "iife",
  }),
]);
