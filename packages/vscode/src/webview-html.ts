import { randomBytes } from "node:crypto";

/** What the chat view's page needs from the host. */
export interface ChatHtmlOptions {
  /** The webview's `cspSource` (where its own resources may come from). */
  cspSource: string;
  /** The URI of `dist/webview.js` as the webview may load it. */
  scriptUri: string;
  /** The URI of `media/chat.css` as the webview may load it. */
  styleUri: string;
  /** A fresh random nonce; only the script carrying it runs. Default: 16 random bytes. */
  nonce?: string;
}

/**
 * The chat view's page: a strict Content Security Policy (no inline script, only the
 * bundled script with this page's nonce, no network), the stable `data-testid` elements
 * the tests and the script find, and the script.
 *
 * @param options - The webview's resource origin and URIs.
 * @returns The HTML.
 */
export function chatHtml(options: ChatHtmlOptions): string {
  const nonce = options.nonce ?? randomBytes(16).toString("base64");
  const csp = [
    "default-src 'none'",
    `style-src ${options.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${options.cspSource}`,
    `font-src ${options.cspSource}`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${options.styleUri}">
<title>gemma-coder</title>
</head>
<body>
<header class="bar">
  <span class="state" data-testid="status">idle</span>
  <span class="backend" id="backend"></span>
</header>
<div class="read-only" id="read-only" hidden></div>
<main class="transcript" data-testid="transcript" aria-live="polite"></main>
<footer class="composer">
  <textarea data-testid="task-input" rows="3" placeholder="Describe a task (Enter sends, Shift+Enter for a new line)"></textarea>
  <div class="buttons">
    <button data-testid="send" type="button">Send</button>
    <button data-testid="stop" type="button" class="secondary" disabled>Stop</button>
  </div>
</footer>
<details class="history" open>
  <summary>Sessions of this workspace</summary>
  <ul data-testid="sessions"></ul>
</details>
<script nonce="${nonce}" src="${options.scriptUri}"></script>
</body>
</html>`;
}
