import { expect, it } from "vitest";

it("pins the runtime export list of @gemma-coder/core", async () => {
  expect(Object.keys(await import("./index.js")).sort()).toEqual([
    "Agent",
    "CALL_EXAMPLE",
    "DEFAULT_MAX_RESULT_CHARS",
    "DEFAULT_RULEBOOK_MAX_CHARS",
    "DEFAULT_RULES",
    "DONE_TOOL_NAME",
    "GemmaCoderError",
    "JSON_ONLY_PROTOCOL",
    "RULEBOOK_FILE_NAMES",
    "THINKING_TAGS",
    "TRANSCRIPT_FORMAT",
    "TRANSCRIPT_VERSION",
    "ToolError",
    "abortError",
    "askApproval",
    "buildSystemPrompt",
    "buildToolCallGrammar",
    "buildToolCallJsonSchema",
    "createMemorySessionStore",
    "createReplyStream",
    "defineTool",
    "describeTool",
    "doneTool",
    "estimateTokens",
    "formatToolResult",
    "formatTranscriptLine",
    "hashMessages",
    "jsonSchemaToGbnf",
    "loadRulebook",
    "nodeRulebookHost",
    "parseReply",
    "parseTranscript",
    "planToolCallConstraint",
    "rebuildSession",
    "renderMessages",
    "sessionHeaderRecord",
    "toolInputJsonSchema",
    "truncateMiddle",
    "untilAborted",
  ]);
});

it("pins the runtime export list of @gemma-coder/core/testing", async () => {
  expect(Object.keys(await import("./testing.js")).sort()).toEqual([
    "createReplayModel",
    "createScriptedModel",
    "recordedToolCalls",
    "toolCall",
  ]);
});
