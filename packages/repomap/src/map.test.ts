import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, type FixtureCopy } from "./__fixtures__/copy-fixture.js";
import * as root from "./index.js";
import * as map from "./map.js";

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "map.js");

let fixture: FixtureCopy | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

it("pins the runtime export list of @gemma-coder/repomap/map: the root's own objects", () => {
  expect(Object.keys(map).sort()).toEqual(["RepoMap", "defaultMapTokens", "repoMapCacheDir"]);
  expect(map.RepoMap).toBe(root.RepoMap);
});

// Maps in a new node process (the built entry, as `gemma-coder map` loads it) and lists
// every module file that process loaded.
const MAP_AND_LIST = `
import { register } from "node:module";
const loaded = [];
const channel = new MessageChannel();
channel.port1.on("message", (url) => loaded.push(url));
channel.port1.unref();
register("data:text/javascript,let port;export function initialize(data){port=data.port}export async function load(url,context,next){port.postMessage(url);return next(url,context)}", { data: { port: channel.port2 }, transferList: [channel.port2] });
const { RepoMap } = await import(process.argv[1]);
const map = new RepoMap({ root: process.argv[2], cacheDir: process.argv[3] });
const rendered = await map.render({ task: "score_all" });
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(JSON.stringify({ stats: map.lastRefresh, tokens: rendered.tokens, loaded }));
`;

function mapInNewProcess(workspace: string, cache: string) {
  const out = execFileSync(
    process.execPath,
    ["--input-type=module", "-e", MAP_AND_LIST, pathToFileURL(dist).href, workspace, cache],
    { encoding: "utf8" },
  );
  return JSON.parse(out) as {
    stats: { parsed: number; unchanged: number };
    tokens: number;
    loaded: string[];
  };
}

describe.skipIf(!existsSync(dist))("a warm map in a new process (the built entry)", () => {
  it("loads neither the parser, nor the tools and their schema library", async () => {
    fixture = await copyFixture();
    const cold = mapInNewProcess(fixture.root, fixture.cache);
    expect(cold.stats.parsed).toBeGreaterThan(10);
    expect(cold.loaded.some((url) => url.includes("web-tree-sitter"))).toBe(true);
    const warm = mapInNewProcess(fixture.root, fixture.cache);
    expect(warm.stats).toMatchObject({ parsed: 0, unchanged: cold.stats.parsed });
    expect(warm.tokens).toBe(cold.tokens);
    const loaded = warm.loaded.filter((url) => !url.startsWith("node:"));
    expect(loaded.some((url) => url.includes("repomap/dist"))).toBe(true);
    expect(
      loaded.filter((url) => /web-tree-sitter|[/\\]zod[/\\]|tools[/\\]dist[/\\]index/.test(url)),
    ).toEqual([]);
  });
});
