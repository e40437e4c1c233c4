import * as vscode from "vscode";
import { type HostMessage, parseViewMessage, type ViewMessage } from "./protocol.js";
import { chatHtml } from "./webview-html.js";

/** The id of the chat view, as contributed. */
export const CHAT_VIEW_ID = "gemmaCoder.chat";

/**
 * The chat view in the side bar. It keeps the current run's messages, the latest state
 * and the session list, and replays them whenever the view's page (re)loads, so a view
 * opened mid-run shows the whole run.
 */
export class ChatView implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private runMessages: HostMessage[] = [];
  private lastState: HostMessage | undefined;
  private lastSessions: HostMessage | undefined;
  private readonly extensionUri: vscode.Uri;
  private readonly onMessage: (message: ViewMessage) => void;

  /**
   * @param extensionUri - The extension's folder (for the script and stylesheet).
   * @param onMessage - Handles a checked message from the page.
   */
  constructor(extensionUri: vscode.Uri, onMessage: (message: ViewMessage) => void) {
    this.extensionUri = extensionUri;
    this.onMessage = onMessage;
  }

  /** @inheritdoc */
  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const { webview } = view;
    const media = vscode.Uri.joinPath(this.extensionUri, "media");
    const dist = vscode.Uri.joinPath(this.extensionUri, "dist");
    webview.options = { enableScripts: true, localResourceRoots: [media, dist] };
    webview.html = chatHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.js")).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, "chat.css")).toString(),
    });
    webview.onDidReceiveMessage((raw: unknown) => {
      const message = parseViewMessage(raw);
      if (!message) return;
      if (message.type === "ready") this.replay();
      this.onMessage(message);
    });
    view.onDidDispose(() => {
      if (this.view === view) this.view = undefined;
    });
  }

  /** Whether the page is there to receive messages. */
  get visible(): boolean {
    return this.view !== undefined;
  }

  /**
   * Sends a message to the page and keeps it for a later replay.
   *
   * @param message - The message.
   */
  post(message: HostMessage): void {
    if (message.type === "state") this.lastState = message;
    else if (message.type === "sessions") this.lastSessions = message;
    else if (message.type === "run-start") this.runMessages = [message];
    else this.runMessages.push(message);
    void this.view?.webview.postMessage(message);
  }

  /** Opens (and focuses) the chat view. */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  private replay(): void {
    const webview = this.view?.webview;
    if (!webview) return;
    for (const message of [this.lastState, this.lastSessions, ...this.runMessages]) {
      if (message) void webview.postMessage(message);
    }
  }
}
