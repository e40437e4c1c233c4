import path from "node:path";

/** The languages the map parses with tree-sitter. Other files are listed by name only. */
export const LANGUAGE_IDS = [
  "python",
  "typescript",
  "tsx",
  "javascript",
  "go",
  "rust",
  "java",
  "c",
  "cpp",
] as const;

/** One of {@link LANGUAGE_IDS}. */
export type LanguageId = (typeof LANGUAGE_IDS)[number];

const BY_EXTENSION: Readonly<Record<string, LanguageId>> = {
  ".py": "python",
  ".pyi": "python",
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "tsx",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".jsx": "javascript",
  ".go": "go",
  ".rs": "rust",
  ".java": "java",
  ".c": "c",
  // A header may be C or C++; the C++ grammar reads both, the C one chokes on classes.
  ".h": "cpp",
  ".cc": "cpp",
  ".cpp": "cpp",
  ".cxx": "cpp",
  ".hh": "cpp",
  ".hpp": "cpp",
  ".hxx": "cpp",
};

/**
 * The language of a file, from its extension.
 *
 * @param file - A path or file name.
 * @returns The language, or `undefined` for a file the map does not parse.
 */
export function languageOf(file: string): LanguageId | undefined {
  return BY_EXTENSION[path.extname(file).toLowerCase()];
}
