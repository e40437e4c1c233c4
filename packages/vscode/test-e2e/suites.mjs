// The suites `pnpm test:vscode` runs, each in its own code-server and Chromium (a suite is
// one VS Code window; the trust settings differ between them). `entry` is bundled by the
// runner (scripts/vscode-test) into one CommonJS file, which the workbench loads as the
// extension tests file.

/**
 * Each: `name`, `entry` (in this folder), optional `settings` (user settings), `workspace`
 * (a folder copied as the workspace), `timeoutMs`, and `screenshots` (screenshot name to a
 * path in the package, for the ones the README shows); `fromVsix` runs the extension as
 * installed from its packaged .vsix instead of the development folder.
 */
export const suites = [
  {
    name: "chat",
    entry: "chat.e2e.ts",
    timeoutMs: 8 * 60_000,
    // Copied into the package for its README by `pnpm test:vscode --update-screenshots`.
    screenshots: {
      chat: "media/screenshots/chat.png",
      "diff-approval": "media/screenshots/diff-approval.png",
    },
  },
  {
    name: "untrusted",
    entry: "untrusted.e2e.ts",
    timeoutMs: 4 * 60_000,
    settings: {
      // Trust on, never asked: the folder opens in restricted mode, as a freshly cloned
      // repository would for a person who has not trusted it.
      "security.workspace.trust.enabled": true,
      "security.workspace.trust.startupPrompt": "never",
      "security.workspace.trust.banner": "never",
      "security.workspace.trust.emptyWindow": false,
    },
  },
  {
    name: "vsix",
    entry: "vsix.e2e.ts",
    fromVsix: true,
    timeoutMs: 4 * 60_000,
  },
];
