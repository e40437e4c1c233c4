import { createRequire } from "node:module";
import v8 from "node:v8";
import { GemmaCoderError } from "@gemma-coder/core/basics";
import type { Parser, Query } from "web-tree-sitter";
import { GRAMMAR_WASM_FILES } from "../languages/grammar-files.js";
import type { LanguageId } from "../languages/languages.js";
import { TAG_QUERIES } from "../languages/tag-queries.js";

/** A loaded grammar: the parser set to it and its compiled tag query. */
export interface Grammar {
  /** The language. */
  id: LanguageId;
  /** A parser set to the language; one per grammar, reused for every file. */
  parser: Parser;
  /** The definitions-and-references query. */
  query: Query;
}

let runtime: Promise<void> | undefined;
// web-tree-sitter links each grammar into one wasm instance; two loads at once mix up
// their symbols, so loads queue behind each other.
let loading: Promise<unknown> = Promise.resolve();
const grammars = new Map<LanguageId, Promise<Grammar>>();

function resolveWasm(id: LanguageId): string {
  // A file URL works for both the ESM and the CJS build (tsup shims import.meta.url).
  const require = createRequire(import.meta.url);
  return require.resolve(`tree-sitter-wasms/out/${GRAMMAR_WASM_FILES[id]}`);
}

/**
 * Loads a grammar once per process (the tree-sitter runtime and each language's wasm are
 * shared by every map), and compiles its tag query.
 *
 * @param id - The language.
 * @returns The grammar.
 * @throws GemmaCoderError `internal` when the wasm file is missing or does not load (a
 *   web-tree-sitter whose ABI does not match the prebuilt grammars).
 */
export function loadGrammar(id: LanguageId): Promise<Grammar> {
  let pending = grammars.get(id);
  if (!pending) {
    pending = loading.then(() => loadOnce(id));
    loading = pending.catch(() => {});
    // A failed load is not cached: the next call tries again and reports again.
    pending.catch(() => grammars.delete(id));
    grammars.set(id, pending);
  }
  return pending;
}

async function loadOnce(id: LanguageId): Promise<Grammar> {
  try {
    // Loaded on first use: a warm map, all from the cache, never needs the parser.
    const { Language, Parser, Query } = await import("web-tree-sitter");
    if (!runtime) keepWasmOnBaselineCompiler();
    runtime ??= Parser.init().catch((error: unknown) => {
      runtime = undefined;
      throw error;
    });
    await runtime;
    const language = await Language.load(resolveWasm(id));
    const parser = new Parser();
    parser.setLanguage(language);
    return { id, parser, query: new Query(language, TAG_QUERIES[id]) };
  } catch (error) {
    throw new GemmaCoderError(
      `Cannot load the tree-sitter grammar for ${id}: ${error instanceof Error && error.message ? error.message : String(error)}.`,
      { code: "internal", cause: error },
    );
  }
}

/**
 * V8 recompiles hot WebAssembly functions with its optimising compiler in the background.
 * For the grammars' huge lexer functions that costs seconds of CPU per grammar, which on
 * a small machine stalls the file reads the map is waiting for, while parsing a file is
 * fast enough without it. So the first grammar load keeps this process's WebAssembly on
 * the baseline compiler (`--liftoff-only`), unless node was started with a tiering flag
 * of its own (`--no-liftoff-only`, `--wasm-tier-up`...), which then wins.
 */
function keepWasmOnBaselineCompiler(): void {
  if (process.execArgv.some((arg) => /liftoff|wasm-tier|wasm-dynamic-tiering/.test(arg))) return;
  v8.setFlagsFromString("--liftoff-only");
}
