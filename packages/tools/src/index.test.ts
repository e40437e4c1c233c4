import { expect, it } from "vitest";

it("exports exactly the public API", async () => {
  expect(Object.keys(await import("./index.js")).sort()).toEqual([
    "DEFAULT_MAX_OUTPUT_CHARS",
    "DEFAULT_SHELL_TIMEOUT_MS",
    "SECRET_ENV_NAME",
    "TOOL_NAMES",
    "buildShellEnv",
    "createEditFileTool",
    "createListFilesTool",
    "createReadFileTool",
    "createRunShellTool",
    "createSearchTool",
    "createTools",
    "createWriteFileTool",
    "killProcessGroup",
    "killRunningCommands",
    "resolveWorkspacePath",
    "runCommand",
    "walkWorkspace",
    "withApproval",
  ]);
});
