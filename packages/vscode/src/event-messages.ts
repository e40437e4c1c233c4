import { type AgentEvent, ProseFilter } from "@gemma-coder/core";
import type { HostMessage } from "./protocol.js";
import { toolCallMessage, toolResultMessage } from "./tool-cards.js";

/**
 * Turns a run's agent events into chat-view messages: prose deltas (without the
 * tool-call markup, which becomes a card), withdrawn prose,
 * one card per tool call and its result, notes for warnings. It remembers each step's
 * call (for its result's links) and whether the call was denied at the approval.
 */
export class EventMessages {
  private readonly calls = new Map<string, { tool: string; args: Record<string, unknown> }>();
  private denied = false;
  private prose = new ProseFilter();

  private proseMessage(step: number, text: string): HostMessage[] {
    return text === "" ? [] : [{ type: "prose", step, text }];
  }

  /** Marks the call waiting for its result as denied by the person. */
  markDenied(): void {
    this.denied = true;
  }

  /**
   * The messages one event becomes (often none).
   *
   * @param event - The agent event.
   * @returns The messages for the view.
   */
  messagesOf(event: AgentEvent): HostMessage[] {
    switch (event.type) {
      case "turn-start":
        this.prose = new ProseFilter();
        return [];
      case "text-delta":
        return this.proseMessage(event.step, this.prose.push(event.text));
      case "turn-end":
        return this.proseMessage(event.step, this.prose.end());
      case "turn-restart":
        this.prose = new ProseFilter();
        return [{ type: "prose-withdrawn", step: event.step }];
      case "tool-call": {
        // `done` ends the run: the summary shows it, not a card.
        if (event.name === "done") return [];
        const id = `${event.runId}:${event.step}`;
        this.calls.set(id, { tool: event.name, args: event.args });
        return [toolCallMessage(id, event.name, event.args)];
      }
      case "tool-result": {
        const id = `${event.runId}:${event.step}`;
        const call = this.calls.get(id);
        if (!call) return [];
        const denied = this.denied && !event.result.ok;
        this.denied = false;
        return [toolResultMessage(id, call, event.result, denied)];
      }
      case "warning":
        return [{ type: "note", text: event.message }];
      case "notice":
        return [{ type: "note", text: event.message }];
      default:
        return [];
    }
  }
}
