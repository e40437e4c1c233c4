import { expect, it } from "vitest";

it("pins the runtime export list of @gemma-coder/repomap", async () => {
  expect(Object.keys(await import("./index.js")).sort()).toEqual([
    "EDIT_TOOL_NAMES",
    "EditChecker",
    "GRAMMAR_WASM_FILES",
    "LANGUAGE_IDS",
    "RepoMap",
    "VERIFY_LANGUAGES",
    "createFindReferencesTool",
    "createFindSymbolTool",
    "defaultMapTokens",
    "fillFiles",
    "languageOf",
    "repoMapCacheDir",
    "syntaxProblems",
    "withEditChecks",
  ]);
});
