import type { ModelProvider } from "@gemma-coder/core";
import { ApprovalQueue, type ApprovalMode, type PendingApproval } from "../approvals.js";
import type { HostMessage } from "../protocol.js";
import { RunController } from "../run-controller.js";
import { readSettings } from "../settings.js";
import { FakeDocuments } from "./fake-documents.js";

/** A run controller over a scripted model and fake documents, recording what the view gets. */
export function controllerFor(
  root: string,
  provider: ModelProvider | (() => Promise<never>),
  options: { trusted?: boolean; mode?: ApprovalMode; onAsk?: (pending: PendingApproval, approvals: ApprovalQueue) => void } = {},
) {
  const messages: HostMessage[] = [];
  const states: string[] = [];
  const documents = new FakeDocuments();
  let controller: RunController | undefined;
  const approvals: ApprovalQueue = new ApprovalQueue({
    mode: () => options.mode ?? "ask",
    show: (pending) => options.onAsk?.(pending, approvals),
    onChange: (pending) => controller?.approvalChanged(pending !== undefined),
  });
  const settings = () => readSettings(() => undefined);
  controller = new RunController({
    workspace: root,
    settings,
    readOnlyReason: () => (options.trusted === false ? "Read-only: this workspace is not trusted." : undefined),
    openBackend: async () => {
      if (typeof provider === "function") return provider();
      return { provider, label: "scripted" };
    },
    documents,
    sessions: async () => undefined,
    approvals,
    post: (message) => messages.push(message),
    log: () => undefined,
  });
  controller.onDidChange((state) => {
    if (states.at(-1) !== state) states.push(state);
  });
  return { controller, approvals, messages, states, documents };
}
