import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type TinyGgufOptions, writeTinyGguf } from "../testing/write-tiny-gguf.js";

/** A temporary folder holding a freshly generated tiny model; `cleanup` removes it. */
export async function tinyModel(
  seed = 1,
  options: TinyGgufOptions = {},
): Promise<{ dir: string; file: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "gemma-coder-embedded-"));
  const file = await writeTinyGguf(path.join(dir, "tiny.gguf"), { ...options, seed });
  return { dir, file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
