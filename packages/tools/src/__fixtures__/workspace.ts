// Test support: real temporary folders, a tool runner that behaves like the agent loop,
// and process checks. Not part of the package's API.
import { readFileSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type AnyTool, GemmaCoderError, type ToolContext } from "@gemma-coder/core";

/** A temporary workspace with look-alike and outside folders next to it. */
export interface TestWorkspace {
  /** The folder containing everything below. */
  base: string;
  /** The workspace root. */
  root: string;
  /** A sibling whose name starts with the root's name (`<root>-evil`). */
  sibling: string;
  /** A folder outside the workspace holding `secret.txt`. */
  outside: string;
  /** Writes files relative to the root. */
  write(files: Record<string, string | Buffer>): Promise<void>;
  /** Reads a file relative to the root as UTF-8. */
  read(rel: string): Promise<string>;
  /** Removes everything. */
  cleanup(): Promise<void>;
}

/** Creates a {@link TestWorkspace} under the system temporary folder. */
export async function makeWorkspace(): Promise<TestWorkspace> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), "gemma-tools-"));
  const root = path.join(base, "ws");
  const sibling = path.join(base, "ws-evil");
  const outside = path.join(base, "outside");
  await fs.mkdir(root);
  await fs.mkdir(sibling);
  await fs.mkdir(outside);
  await fs.writeFile(path.join(outside, "secret.txt"), "TOP SECRET\n");
  await fs.writeFile(path.join(sibling, "secret.txt"), "SIBLING SECRET\n");
  return {
    base,
    root,
    sibling,
    outside,
    async write(files) {
      for (const [rel, content] of Object.entries(files)) {
        const file = path.join(root, rel);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, content);
      }
    },
    read: (rel) => fs.readFile(path.join(root, rel), "utf8"),
    cleanup: () => fs.rm(base, { recursive: true, force: true }),
  };
}

/** A tool context for direct calls. */
export function context(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, runId: "test-run", step: 1 };
}

/** What the agent loop would send the model. */
export type Outcome = { ok: true; value: string } | { ok: false; error: string };

/**
 * Calls a tool the way the agent loop does (input validated by the schema, errors caught)
 * and fails the test when a raw, non-SDK error escapes.
 */
export async function call(tool: AnyTool, input: unknown, signal?: AbortSignal): Promise<Outcome> {
  const parsed = tool.inputSchema.parse(input);
  try {
    const value = await tool.execute(parsed, context(signal));
    return { ok: true, value: String(value) };
  } catch (error) {
    if (!GemmaCoderError.isInstance(error)) {
      throw new Error(`${tool.name} threw a raw error: ${String(error)}`, { cause: error });
    }
    return { ok: false, error: error.message };
  }
}

/** Calls a tool and returns its value, failing when it reports an error. */
export async function value(tool: AnyTool, input: unknown): Promise<string> {
  const outcome = await call(tool, input);
  if (!outcome.ok) throw new Error(`${tool.name} failed: ${outcome.error}`);
  return outcome.value;
}

/** Calls a tool and returns its error message, failing when it succeeds. */
export async function failure(tool: AnyTool, input: unknown): Promise<string> {
  const outcome = await call(tool, input);
  if (outcome.ok) throw new Error(`${tool.name} should have failed but returned: ${outcome.value}`);
  return outcome.error;
}

/** Picks a tool by name from a set. */
export function pick(tools: readonly AnyTool[], name: string): AnyTool {
  const tool = tools.find((candidate) => candidate.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
}

/**
 * Tells whether a process is still running. A killed process whose parent has not reaped
 * it yet (a zombie) does not count: it runs no code and holds no pipe.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Waits until a condition holds, polling; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
