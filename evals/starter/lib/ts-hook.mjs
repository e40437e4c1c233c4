// Lets node run the TypeScript of the starter suite's fixtures with nothing installed in
// the task: `node --import <this file> test/x.test.ts`. It strips the types with Node's own
// `module.stripTypeScriptTypes` where Node has it (22.13 and later), else with esbuild or
// the TypeScript compiler, which the gemma-coder repository already has (devDependencies).
// An import of `./x.js` finds `./x.ts`, as TypeScript's own resolution does.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { register } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

if (!globalThis.__gemmaEvalTsHook) {
  globalThis.__gemmaEvalTsHook = true;
  register(import.meta.url, { data: {} });
}

let strip;
async function stripper() {
  if (strip) return strip;
  const nodeModule = await import("node:module");
  if (typeof nodeModule.stripTypeScriptTypes === "function") {
    strip = (source) => nodeModule.stripTypeScriptTypes(source, { mode: "transform" });
  } else {
    try {
      const esbuild = await import("esbuild");
      strip = (source, file) =>
        esbuild.transformSync(source, { loader: "ts", format: "esm", sourcefile: file }).code;
      return strip;
    } catch {
      // No esbuild: the TypeScript compiler does it too, only slower to load.
    }
    const ts = (await import("typescript")).default;
    strip = (source, file) =>
      ts.transpileModule(source, {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
  }
  return strip;
}

export async function resolve(specifier, context, next) {
  if (/^\.{1,2}\//.test(specifier) && specifier.endsWith(".js") && context.parentURL) {
    const ts = new URL(specifier.replace(/\.js$/, ".ts"), context.parentURL);
    const js = new URL(specifier, context.parentURL);
    if (!existsSync(js) && existsSync(ts)) return next(ts.href, context);
  }
  return next(specifier, context);
}

// Most files are the same from run to run (the tests, the code a run did not touch), so
// their JavaScript is kept by content hash: a check whose files are all known loads no
// compiler at all.
const cacheDir = path.join(tmpdir(), "gemma-coder-eval-ts-cache");

async function toJavaScript(source, file) {
  const key = createHash("sha256").update(source).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return readFileSync(cached, "utf8");
  } catch {
    // Not compiled yet.
  }
  const text = (await stripper())(source, file);
  try {
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, cached);
  } catch {
    // A cache that cannot be written only costs time.
  }
  return text;
}

export async function load(url, context, next) {
  if (!url.endsWith(".ts")) return next(url, context);
  const { source } = await next(url, { ...context, format: "module" });
  const text = await toJavaScript(String(source), new URL(url).pathname);
  return { format: "module", source: text, shortCircuit: true };
}
