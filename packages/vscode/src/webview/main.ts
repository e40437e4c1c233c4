// The chat view's browser code: plain DOM, no framework. It shows what the host posts
// (prose, tool cards, status, summary, errors, the session history) and posts back what
// the person does (send, stop, open a file, resume a session). Model text is only ever
// set as text, never as HTML.
import type { FileLink, HostMessage, RunState, SessionItem, ViewMessage } from "../protocol.js";

interface VsCodeApi {
  postMessage(message: ViewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

function byTestId<T extends HTMLElement>(id: string): T {
  const element = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!element) throw new Error(`the chat view has no ${id} element`);
  return element;
}

function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

const input = byTestId<HTMLTextAreaElement>("task-input");
const send = byTestId<HTMLButtonElement>("send");
const stop = byTestId<HTMLButtonElement>("stop");
const status = byTestId<HTMLElement>("status");
const transcript = byTestId<HTMLElement>("transcript");
const sessions = byTestId<HTMLElement>("sessions");
const backend = document.getElementById("backend") as HTMLElement;
const readOnly = document.getElementById("read-only") as HTMLElement;

/** The prose block of each step, so deltas append and a withdrawn step can be removed. */
const proseBlocks = new Map<number, HTMLElement>();
/** The tool cards by call id, so a result updates its card. */
const cards = new Map<string, HTMLElement>();

function scrollToEnd(): void {
  transcript.scrollTop = transcript.scrollHeight;
}

function setState(state: RunState): void {
  status.textContent = state;
  status.dataset.state = state;
  const busy = state === "running" || state === "waiting-approval";
  stop.disabled = !busy;
  send.disabled = busy;
}

function submit(): void {
  const task = input.value;
  if (task.trim() === "" || send.disabled) return;
  vscode.postMessage({ type: "send", task });
  input.value = "";
}

function fileLink(link: FileLink): HTMLElement {
  const label = link.line === undefined ? link.path : `${link.path}:${link.line}`;
  const anchor = make(
    "a",
    { "data-testid": "file-link", href: "#", title: `Open ${label}` },
    label,
  );
  anchor.addEventListener("click", (event) => {
    event.preventDefault();
    vscode.postMessage({ type: "open-file", path: link.path, line: link.line });
  });
  return anchor;
}

function addToolCard(message: Extract<HostMessage, { type: "tool-call" }>): void {
  const card = make("div", {
    class: "card",
    "data-testid": "tool-card",
    "data-tool": message.tool,
    "data-status": "running",
  });
  const head = make("div", { class: "card-head" });
  head.append(make("span", { class: "card-tool" }, message.tool), make("span", {}, message.title));
  card.append(head);
  if (message.files.length > 0) {
    const links = make("div", { class: "card-files" });
    for (const file of message.files) links.append(fileLink(file));
    card.append(links);
  }
  cards.set(message.id, card);
  transcript.append(card);
}

function finishToolCard(message: Extract<HostMessage, { type: "tool-result" }>): void {
  const card = cards.get(message.id);
  if (!card) return;
  card.dataset.status = message.status;
  if (message.files.length > 0) {
    const links = make("div", { class: "card-files" });
    for (const file of message.files) links.append(fileLink(file));
    card.append(links);
  }
  if (message.detail !== "") card.append(make("pre", { class: "card-detail" }, message.detail));
}

function appendProse(step: number, text: string): void {
  let block = proseBlocks.get(step);
  if (!block) {
    block = make("div", { class: "prose", "data-testid": "prose" });
    proseBlocks.set(step, block);
    transcript.append(block);
  }
  block.textContent = (block.textContent ?? "") + text;
}

function showSessions(items: readonly SessionItem[]): void {
  sessions.replaceChildren();
  if (items.length === 0) sessions.append(make("li", { class: "empty" }, "No sessions yet."));
  for (const item of items) {
    const entry = make("li", {
      "data-testid": "session-item",
      "data-session-id": item.id,
      title: `Resume session ${item.id} (type a follow-up first to continue a finished one)`,
      tabindex: "0",
    });
    const when = new Date(item.updatedAt).toLocaleString();
    entry.append(
      make("span", { class: "session-task" }, item.task),
      make("span", { class: "session-meta" }, `${item.status} · ${when}`),
    );
    const resume = () => {
      const message = input.value.trim() === "" ? undefined : input.value;
      vscode.postMessage({ type: "resume", sessionId: item.id, message });
      input.value = "";
    };
    entry.addEventListener("click", resume);
    entry.addEventListener("keydown", (event) => {
      if (event.key === "Enter") resume();
    });
    sessions.append(entry);
  }
}

function startRun(task: string): void {
  transcript.replaceChildren(make("div", { class: "task" }, task));
  proseBlocks.clear();
  cards.clear();
}

function handle(message: HostMessage): void {
  switch (message.type) {
    case "state":
      setState(message.state);
      backend.textContent = message.backend;
      readOnly.textContent = message.readOnly ?? "";
      readOnly.hidden = message.readOnly === undefined;
      return;
    case "run-start":
      startRun(message.task);
      return;
    case "prose":
      appendProse(message.step, message.text);
      return;
    case "prose-withdrawn":
      proseBlocks.get(message.step)?.remove();
      proseBlocks.delete(message.step);
      return;
    case "tool-call":
      addToolCard(message);
      return;
    case "tool-result":
      finishToolCard(message);
      return;
    case "note":
      transcript.append(make("div", { class: "note" }, message.text));
      return;
    case "summary": {
      const summary = make("div", { class: "summary", "data-testid": "summary" }, message.text);
      if (message.changedFiles.length > 0) {
        const files = make("div", { class: "card-files" });
        for (const path of message.changedFiles) files.append(fileLink({ path }));
        summary.append(files);
      }
      transcript.append(summary);
      return;
    }
    case "error": {
      const error = make("div", { class: "error", "data-testid": "error", role: "alert" });
      error.append(make("div", {}, message.message));
      if (message.fix) error.append(make("div", { class: "fix" }, message.fix));
      transcript.append(error);
      return;
    }
    case "sessions":
      showSessions(message.items);
      return;
  }
}

window.addEventListener("message", (event: MessageEvent<HostMessage>) => {
  handle(event.data);
  scrollToEnd();
});
send.addEventListener("click", submit);
stop.addEventListener("click", () => vscode.postMessage({ type: "stop" }));
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  }
});
setState("idle");
vscode.postMessage({ type: "ready" });
