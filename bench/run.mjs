// Runs every benchmark (bench/*.mjs here and packages/*/bench/*.mjs) one after the other,
// each in its own node process so they do not disturb each other's memory figures.
// Benchmarks print figures; they never fail a build on a number.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { machine } from "./lib.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);
const scripts = [];
const add = (dir) => {
  try {
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith(".mjs") && !["run.mjs", "lib.mjs"].includes(name))
        scripts.push(join(dir, name));
    }
  } catch {
    // A package without benchmarks.
  }
};
add(join(root, "bench"));
for (const pkg of readdirSync(join(root, "packages")).sort())
  add(join(root, "packages", pkg, "bench"));

console.log(`# gemma-coder benchmarks\n\nmachine: ${machine()}`);
let failed = 0;
for (const script of scripts) {
  const name = relative(root, script);
  if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
  console.log(`\n## ${name}`);
  const result = spawnSync(process.execPath, ["--expose-gc", script], {
    stdio: "inherit",
    cwd: root,
  });
  if (result.status !== 0) {
    failed++;
    console.log(`(${name} exited with ${result.status ?? result.signal})`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
