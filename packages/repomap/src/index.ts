export type { CacheDirOptions } from "./cache/cache-dir.js";
export { repoMapCacheDir } from "./cache/cache-dir.js";
export type { CheckBaseline, EditCheckerOptions } from "./check/edit-checker.js";
export { EditChecker } from "./check/edit-checker.js";
export type { Problem } from "./check/syntax-problems.js";
export { syntaxProblems } from "./check/syntax-problems.js";
export type {
  VerifyCommand,
  VerifyCommandWithTimeout,
  VerifyConfig,
} from "./check/verify-config.js";
export { fillFiles, VERIFY_LANGUAGES } from "./check/verify-config.js";
export type { WithEditChecksOptions } from "./check/with-edit-checks.js";
export { EDIT_TOOL_NAMES, withEditChecks } from "./check/with-edit-checks.js";
export { GRAMMAR_WASM_FILES } from "./languages/grammar-files.js";
export type { LanguageId } from "./languages/languages.js";
export { LANGUAGE_IDS, languageOf } from "./languages/languages.js";
export type { Definition, FileTags, Reference } from "./parse/file-tags.js";
export type { RankedDefinition, RankedFile, Ranking } from "./rank/rank-symbols.js";
export type { RenderedMap } from "./render/render-map.js";
export type {
  ReferenceLocation,
  RenderOptions,
  RepoMapOptions,
  SkippedFile,
  SymbolLocation,
  SymbolSearch,
  SymbolSearchOptions,
} from "./repo-map.js";
export { defaultMapTokens, RepoMap } from "./repo-map.js";
export type { IndexStats } from "./scan/index-workspace.js";
export type { SymbolToolInput, SymbolToolOptions } from "./tools/symbol-tools.js";
export { createFindReferencesTool, createFindSymbolTool } from "./tools/symbol-tools.js";
