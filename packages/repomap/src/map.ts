/**
 * The repository map alone: `RepoMap` and its budget, without the symbol tools and the
 * edit check (which load the tools' schema library and the command runner). A new process
 * that only prints or renders a map, such as `gemma-coder map`, starts faster from here.
 * The same class as the root entry's `RepoMap`.
 *
 * @packageDocumentation
 */
export type { CacheDirOptions } from "./cache/cache-dir.js";
export { repoMapCacheDir } from "./cache/cache-dir.js";
export type { LanguageId } from "./languages/languages.js";
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
