import path from "node:path";
import type { ApprovalDecision, ApprovalHandler, ApprovalRequest } from "@gemma-coder/core";
import type { ToolFileSystem } from "./fs/file-system.js";

/**
 * What the approval hook answers: `true`/`false`, or an object with a reason that is
 * passed on to the model when the call is denied. The same type as the core's, so one
 * handler serves both `createTools({ approve })` and `new Agent({ approve })`.
 */
export type { ApprovalDecision, ApprovalHandler, ApprovalRequest };

/** The search implementations; `auto` picks the first one available. */
export type SearchBackendName = "rg" | "grep" | "js";

/** Options of {@link createTools} and of each tool factory. */
export interface ToolsOptions {
  /** The workspace folder. Tools never read or write outside it. */
  root: string;
  /** Offer only the tools that read (`read_file`, `list_files`, `search`). */
  readOnly?: boolean;
  /** Asked before `write_file`, `edit_file` and `run_shell` run. */
  approve?: ApprovalHandler;
  /** Default `run_shell` timeout in milliseconds (default 120000). */
  shellTimeoutMs?: number;
  /**
   * Environment variables passed to `run_shell` even though they look like secrets
   * (`*KEY*`, `*TOKEN*`, `*SECRET*`, `*PASSWORD*`, `*PASSPHRASE*`, `*CREDENTIAL*`,
   * `*COOKIE*`, `*JWT*`, `*DSN*`, `*WEBHOOK*`, `_PASS`, `_PWD`, `AUTH`, database and queue
   * URLs such as `DATABASE_URL`, and any value that is a URL with credentials).
   */
  allowEnv?: readonly string[];
  /**
   * More environment variables never passed to `run_shell`, besides those that look like
   * secrets by name or hold a URL with credentials: exact names, or a prefix ending in
   * `*` (`ACME_*`). `allowEnv` still wins.
   */
  hideEnv?: readonly string[];
  /** The most characters a single tool result may hold (default 12000). */
  maxOutputChars?: number;
  /** The shell for `run_shell` (default `/bin/bash`, else `/bin/sh`; `cmd.exe` on Windows). */
  shell?: string;
  /** Force a search implementation instead of picking one (default `auto`). */
  searchBackend?: SearchBackendName | "auto";
  /**
   * Where `read_file`, `write_file` and `edit_file` read and write file content. Default:
   * the local disk (writes are atomic and keep permission bits). Paths are confined to
   * `root` before every call; listing, searching and `run_shell` always use the disk.
   */
  fs?: ToolFileSystem | undefined;
}

/** The options with every default filled in. */
export interface ResolvedToolsOptions {
  root: string;
  shellTimeoutMs: number;
  allowEnv: readonly string[];
  hideEnv: readonly string[];
  maxOutputChars: number;
  shell: string | undefined;
  searchBackend: SearchBackendName | "auto";
  fs: ToolFileSystem | undefined;
}

/**
 * The old name of {@link ToolsOptions}.
 *
 * @deprecated Use {@link ToolsOptions} (the options of a `createX` factory are named
 *   `XOptions`, like `OllamaOptions`). Removed in the next minor release.
 */
export type CreateToolsOptions = ToolsOptions;

/** The default of {@link ToolsOptions.shellTimeoutMs}. */
export const DEFAULT_SHELL_TIMEOUT_MS = 120_000;
/** The default of {@link ToolsOptions.maxOutputChars}. */
export const DEFAULT_MAX_OUTPUT_CHARS = 12_000;

/** @internal */
export function resolveOptions(options: ToolsOptions): ResolvedToolsOptions {
  return {
    root: path.resolve(options.root),
    shellTimeoutMs: positive(options.shellTimeoutMs, DEFAULT_SHELL_TIMEOUT_MS),
    allowEnv: options.allowEnv ?? [],
    hideEnv: options.hideEnv ?? [],
    maxOutputChars: positive(options.maxOutputChars, DEFAULT_MAX_OUTPUT_CHARS),
    shell: options.shell,
    searchBackend: options.searchBackend ?? "auto",
    fs: options.fs,
  };
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
