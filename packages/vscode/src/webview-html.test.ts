import { describe, expect, it } from "vitest";
import { chatHtml } from "./webview-html.js";

const options = {
  cspSource: "vscode-webview://x",
  scriptUri: "vscode-webview://x/webview.js",
  styleUri: "vscode-webview://x/chat.css",
};

describe("chatHtml", () => {
  it("has a strict policy: nothing by default, only the script with this page's nonce", () => {
    const html = chatHtml({ ...options, nonce: "abc123" });
    const csp = /content="([^"]+)"/.exec(html)?.[1] ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-abc123'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|connect-src/);
    expect(html).toContain('<script nonce="abc123" src="vscode-webview://x/webview.js">');
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it("makes a new nonce each time", () => {
    const nonce = (html: string) => /nonce-([^']+)'/.exec(html)?.[1];
    expect(nonce(chatHtml(options))).not.toBe(nonce(chatHtml(options)));
  });

  it("carries the elements the tests and the script find", () => {
    const html = chatHtml(options);
    for (const id of ["task-input", "send", "stop", "status", "transcript", "sessions"]) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toMatch(/<textarea data-testid="task-input"/);
  });
});
