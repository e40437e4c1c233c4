import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { McpStdioServerConfig } from "../config/server-config.js";

const modules = new URL("../../node_modules/", import.meta.url);

/** The registry's `@modelcontextprotocol/server-everything`, started over stdio. */
export function everythingServer(): McpStdioServerConfig {
  const entry = new URL("@modelcontextprotocol/server-everything/dist/index.js", modules);
  return { command: process.execPath, args: [fileURLToPath(entry), "stdio"] };
}

/** The registry's `@modelcontextprotocol/server-filesystem`, confined to `root`. */
export function filesystemServer(root: string): McpStdioServerConfig {
  const entry = new URL("@modelcontextprotocol/server-filesystem/dist/index.js", modules);
  return { command: process.execPath, args: [fileURLToPath(entry), root] };
}

/** The purpose-written misbehaving server (see fault-server.mjs for the modes). */
export function faultServer(mode: string, stateFile?: string): McpStdioServerConfig {
  const script = fileURLToPath(new URL("./fault-server.mjs", import.meta.url));
  return { command: process.execPath, args: [script, mode, ...(stateFile ? [stateFile] : [])] };
}

/** Whether a process is still running (a zombie waiting to be reaped counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return process.platform !== "linux";
  }
}

/** The pids a fault server wrote to its state file, by kind (`start`, `child`). */
export function statePids(file: string, kind: string): number[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${kind} `))
    .map((line) => Number(line.slice(kind.length + 1)));
}
