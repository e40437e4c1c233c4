import type { LanguageId } from "./languages.js";

/**
 * The grammar file each language is parsed with, as `tree-sitter-wasms` ships it
 * (`tree-sitter-wasms/out/<file>`). Whoever packages the map (the packed CLI does) ships
 * exactly these.
 */
export const GRAMMAR_WASM_FILES: Readonly<Record<LanguageId, string>> = {
  python: "tree-sitter-python.wasm",
  typescript: "tree-sitter-typescript.wasm",
  tsx: "tree-sitter-tsx.wasm",
  javascript: "tree-sitter-javascript.wasm",
  go: "tree-sitter-go.wasm",
  rust: "tree-sitter-rust.wasm",
  java: "tree-sitter-java.wasm",
  c: "tree-sitter-c.wasm",
  cpp: "tree-sitter-cpp.wasm",
};
