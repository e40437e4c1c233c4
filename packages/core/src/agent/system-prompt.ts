import { JSON_ONLY_PROTOCOL } from "../constrained/tool-call-json-schema.js";
import type { AnyTool } from "../tools/define-tool.js";
import { describeTool } from "../tools/describe-tool.js";

/** Options of {@link buildSystemPrompt}. */
export interface SystemPromptOptions {
  /** The tools on offer, `done` included. */
  tools: readonly AnyTool[];
  /** The rulebook text, or `undefined` for none. */
  rules?: string | undefined;
  /** Extra instructions appended after the protocol (e.g. from the embedding app). */
  instructions?: string | undefined;
  /**
   * The call format to teach: `"tags"` (`<tool>...</tool>`, the default) or `"json"`
   * (a bare JSON object, for backends that enforce a JSON schema on the reply) or
   * `"native"` (calls through the provider's tool API, whose chat template lists the
   * tools, so the prompt does not list them again).
   */
  protocol?: "tags" | "json" | "native" | undefined;
}

const PROTOCOL = `You are a coding agent. You act only through tools.
Each reply: at most one short sentence, then exactly one tool call in this form:
<tool>
{"name": "read_file", "args": {"path": "src/app.py"}}
</tool>
Use strict JSON (double quotes; write newlines in strings as \\n). Stop after </tool>.
The result comes back in <tool_result>. When the task is complete and verified, call done.`;

const NATIVE_PROTOCOL = `You are a coding agent. You act only through the tools you are given.
Each reply: at most one short sentence, then exactly one tool call.
When the task is complete and verified, call done.`;

/**
 * Builds the system prompt: protocol, tool list, rules. It depends only on its
 * inputs (no dates, no counters), so it is byte-identical on every turn and the
 * backend's KV cache is reused.
 *
 * @param options - Tools, rules and extra instructions.
 * @returns The system prompt text.
 */
export function buildSystemPrompt(options: SystemPromptOptions): string {
  const sections =
    options.protocol === "native"
      ? [NATIVE_PROTOCOL]
      : [
          options.protocol === "json" ? JSON_ONLY_PROTOCOL : PROTOCOL,
          `Tools:\n${options.tools.map((t) => `- ${describeTool(t)}`).join("\n")}`,
        ];
  if (options.instructions?.trim()) sections.push(options.instructions.trim());
  if (options.rules?.trim()) sections.push(`<rules>\n${options.rules.trim()}\n</rules>`);
  return sections.join("\n\n");
}
