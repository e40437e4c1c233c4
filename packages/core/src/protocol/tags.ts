/**
 * The markers the protocol recognises. Openers map to the closer that ends them.
 * Small models drift between spellings, so aliases are accepted on input while the
 * prompt only ever teaches `<tool>`.
 */

/** Call openers and their closers. */
export const CALL_TAGS: ReadonlyArray<readonly [open: string, close: string]> = [
  ["<tool>", "</tool>"],
  ["<tool_call>", "</tool_call>"],
  ["<function_call>", "</function_call>"],
  // Qwen2.5-Coder's few-shot wrapper.
  ["<tools>", "</tools>"],
  // Gemma 4's native tool-call syntax, which leaks into text when the chat template is bypassed.
  ["<|tool_call>", "<tool_call|>"],
];

/** Thinking-block openers and their closers; calls inside them are never executed. */
export const THINKING_TAGS: ReadonlyArray<readonly [open: string, close: string]> = [
  ["<think>", "</think>"],
  ["<thinking>", "</thinking>"],
  ["<thought>", "</thought>"],
  // Gemma 4 thinking channel.
  ["<|channel>", "<channel|>"],
];

/** The Gemma 4 string delimiter used inside native tool calls. */
export const GEMMA_QUOTE = '<|"|>';

/** The opener of Gemma 4's native call syntax. */
export const GEMMA_CALL_OPEN = "<|tool_call>";
