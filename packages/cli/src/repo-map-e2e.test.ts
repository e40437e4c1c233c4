// End-to-end tests of the repository map through the real `gemma-coder` bin: the `map`
// command, the map in the first request, the check after an edit, and the trust gate on
// a project's `verify` commands (a cloned repository must not start programs).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { chatMessages, missingBuilds, ollama, useCliHarness } from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { run, server } = cli;
const isPosix = process.platform !== "win32";

function writeRepo(files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(cli.repo, file)), { recursive: true });
    writeFileSync(path.join(cli.repo, file), text);
  }
}

const SHOP = {
  "shop/cart.py": "class Cart:\n    def total(self) -> int:\n        return 0\n",
  "shop/checkout.py":
    "from shop.cart import Cart\n\n\ndef checkout(cart: Cart) -> int:\n    return cart.total()\n",
  "web/price.ts": "export function priceOf(cents: number): string {\n  return String(cents);\n}\n",
};

describe.skipIf(missingBuilds.length > 0)("the repository map (the real bin)", () => {
  it("`map` prints the map for a task, what the task names first, within --tokens", async () => {
    writeRepo(SHOP);
    const result = await run(["map", "priceOf must round", "--tokens", "60"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").slice(0, 2)).toEqual([
      "web/price.ts:",
      "1: export function priceOf(cents: number): string",
    ]);
    const json = await run(["map", "--json", "--tokens", "40", "--focus", "shop/checkout.py"]);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.tokens).toBeLessThanOrEqual(40);
    expect(parsed.budget).toBe(40);
    expect(parsed.text.split("\n")[0]).toBe("shop/cart.py:");
  });

  it("a warm `map` loads neither the parser nor the schema library, nor core's or the tools' root entry", async () => {
    writeRepo(SHOP);
    expect((await run(["map"])).code).toBe(0);
    // Every module file the warm run's process loads is written to a log by a loader hook.
    const log = path.join(cli.root, "loaded.txt");
    const hook = path.join(cli.root, "log-loads.mjs");
    writeFileSync(
      hook,
      `import { register } from "node:module";\nregister(${JSON.stringify(
        `data:text/javascript,import{appendFileSync}from"node:fs";export async function load(url,context,next){appendFileSync(${JSON.stringify(log)},url+"\\n");return next(url,context)}`,
      )});\n`,
    );
    const warm = await run(["map", "--json"], {
      env: { NODE_OPTIONS: `--import=${pathToFileURL(hook).href}` },
    });
    expect(warm.code).toBe(0);
    const { stats } = JSON.parse(warm.stdout);
    expect(stats).toMatchObject({ parsed: 0, unchanged: stats.files });
    const loaded = readFileSync(log, "utf8").split("\n");
    expect(loaded.some((url) => url.includes("repomap/dist/map.js"))).toBe(true);
    expect(
      loaded.filter((url) =>
        /web-tree-sitter|[/\\]zod[/\\]|(core|tools|repomap)[/\\]dist[/\\]index\.js/.test(url),
      ),
    ).toEqual([]);
  });

  it("the attack: a repository's escape sequences and bidi overrides reach the terminal spelled out, not live", async () => {
    // U+202E reverses what follows on screen ("Trojan Source"); ESC [2J clears the screen.
    writeRepo({
      ...SHOP,
      "tools/ids.py": "def \u202enew_id():\n    pass\n\n\ndef wipe(mode='\u001b[2J'):\n    pass\n",
      "tools/rlo\u202eyp.txt.py": "def named():\n    pass\n",
    });
    const result = await run(["map", "new_id named wipe", "--tokens", "2000"]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/[\u001b\u202e]/);
    expect(result.stdout).toContain("def \\u202enew_id():");
    expect(result.stdout).toContain("tools/rlo\\u202eyp.txt.py:");
    expect(result.stdout).toContain("def wipe(mode='\\x1b[2J'):");
  });

  it("`map` refuses a focus path outside the workspace and flags for other commands", async () => {
    const outside = await run(["map", "--focus", "../secret.txt"]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("outside the workspace");
    writeRepo(SHOP);
    // A path that is not there is a typo: said, not silently ignored.
    const missing = await run(["map", "--focus", "shop/carts.py"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "--focus shop/carts.py: no such file or folder in the workspace",
    );
    const folder = await run(["map", "--focus", "web", "--tokens", "60"]);
    expect(folder.code).toBe(0);
    expect(folder.stdout.split("\n")[0]).toBe("web/price.ts:");
    const misplaced = await run(["--tokens", "10", "fix it"]);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain("--tokens goes with `gemma-coder map`");
  });

  it("a run sends the map before the task and reports a syntax error its edit left", async () => {
    writeRepo(SHOP);
    const model = await server({
      replies: [
        call("edit_file", { path: "shop/cart.py", old: "return 0", new: "return (0" }),
        call("done", { summary: "ok" }),
      ],
    });
    const result = await run([...ollama(model.url), "--yes", "make Cart.total count items"]);
    expect(result.code).toBe(0);
    const [first, second] = chatMessages(model);
    expect(first?.[1]?.content).toMatch(
      /^<repo_map>\n[\s\S]*shop\/cart\.py:\n1: class Cart:[\s\S]*<\/repo_map>\n\nmake Cart\.total count items$/,
    );
    expect(second?.at(-1)?.content).toContain("Your edit left a syntax error in shop/cart.py");
  });

  describe.skipIf(!isPosix)("verify commands", () => {
    const planted = (marker: string) => ({ verify: { python: `touch '${marker}'` } });
    const editReplies = () => [
      call("write_file", { path: "new.py", content: "x = 1\n" }),
      call("done", { summary: "ok" }),
    ];

    it("never runs an untrusted project's verify commands, and says they were ignored", async () => {
      const marker = path.join(cli.root, "VERIFY-RAN");
      mkdirSync(path.join(cli.repo, ".gemma-coder"));
      writeFileSync(
        path.join(cli.repo, ".gemma-coder", "config.json"),
        JSON.stringify(planted(marker)),
      );
      const model = await server({ replies: editReplies() });
      const result = await run([...ollama(model.url), "--yes", "add new.py"]);
      expect(result.code).toBe(0);
      expect(cli.read("new.py")).toBe("x = 1\n");
      expect(existsSync(marker)).toBe(false);
      expect(result.stderr).toMatch(/not trusted .*its verify was ignored/);
    });

    it("runs them for a trusted folder, and the user's own always", async () => {
      const marker = path.join(cli.root, "VERIFY-RAN");
      mkdirSync(path.join(cli.repo, ".gemma-coder"));
      writeFileSync(
        path.join(cli.repo, ".gemma-coder", "config.json"),
        JSON.stringify(planted(marker)),
      );
      const model = await server({ replies: editReplies() });
      const result = await run([...ollama(model.url), "--yes", "--trust-project", "add new.py"]);
      expect(result.code).toBe(0);
      expect(existsSync(marker)).toBe(true);

      const userMarker = path.join(cli.root, "USER-VERIFY-RAN");
      mkdirSync(path.join(cli.root, "config", "gemma-coder"), { recursive: true });
      writeFileSync(
        path.join(cli.root, "config", "gemma-coder", "config.json"),
        JSON.stringify(planted(userMarker)),
      );
      const again = await server({ replies: editReplies() });
      expect((await run([...ollama(again.url), "--yes", "add new.py"])).code).toBe(0);
      expect(existsSync(userMarker)).toBe(true);
    });
  });
});
