import { expect, it } from "vitest";

it("pins the runtime export list of @gemma-coder/core", async () => {
  expect(Object.keys(await import("./index.js")).sort()).toEqual([
    "Agent",
    "DEFAULT_LONG_STRING_PROPERTIES",
    "DEFAULT_MAX_ARRAY_ITEMS",
    "DEFAULT_MAX_LONG_STRING_CHARS",
    "DEFAULT_MAX_RESULT_CHARS",
    "DEFAULT_MAX_STRING_CHARS",
    "DEFAULT_RULEBOOK_MAX_CHARS",
    "DEFAULT_RULES",
    "DONE_TOOL_NAME",
    "GemmaCoderError",
    "JSON_ONLY_PROTOCOL",
    "ProseFilter",
    "RULEBOOK_FILE_NAMES",
    "SPIRAL_NUDGE",
    "THINKING_TAGS",
    "TRANSCRIPT_FORMAT",
    "TRANSCRIPT_VERSION",
    "ToolError",
    "askApproval",
    "buildSystemPrompt",
    "buildToolCallGrammar",
    "buildToolCallJsonSchema",
    "createMemorySessionStore",
    "createReplyStream",
    "createSpiralDetector",
    "defineTool",
    "describeTool",
    "doneTool",
    "estimateTokens",
    "formatToolResult",
    "jsonSchemaToGbnf",
    "loadRulebook",
    "parseReply",
    "repoMapBudget",
    "toolInputJsonSchema",
    "truncateMiddle",
  ]);
});

it("pins the runtime export list of @gemma-coder/core/testing", async () => {
  expect(Object.keys(await import("./testing.js")).sort()).toEqual([
    "createReplayModel",
    "createScriptedModel",
    "recordedToolCalls",
    "toolCall",
    "toolCallText",
  ]);
});

it("pins the runtime export list of @gemma-coder/core/node", async () => {
  expect(Object.keys(await import("./node.js")).sort()).toEqual(["nodeRulebookHost"]);
});

it("pins the runtime export list of @gemma-coder/core/internal", async () => {
  expect(Object.keys(await import("./internal.js")).sort()).toEqual([
    "abortError",
    "formatTranscriptLine",
    "hashMessages",
    "parseTranscript",
    "planToolCallConstraint",
    "rebuildSession",
    "renderMessages",
    "sessionHeaderRecord",
    "untilAborted",
  ]);
});

it("keeps what the other packages share out of the root entry", async () => {
  const root = Object.keys(await import("./index.js"));
  const internal = Object.keys(await import("./internal.js"));
  const node = Object.keys(await import("./node.js"));
  expect(root.filter((name) => internal.includes(name) || node.includes(name))).toEqual([]);
});
