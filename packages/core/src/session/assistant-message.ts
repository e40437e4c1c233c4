/**
 * The assistant message the history keeps for a reply. The `</tool>` stop sequence eats
 * the close tag, so it is put back on a reply that holds a call: the model then sees
 * well-formed calls in its own history.
 *
 * @internal Shared by the agent loop and the session rebuild, which must agree byte for byte.
 */
export function assistantContent(text: string, isCall: boolean): string {
  const closeTag = isCall && /<tool>/.test(text) && !/<\/tool>\s*$/.test(text);
  return closeTag ? `${text.trimEnd()}\n</tool>` : text;
}

/**
 * The tool result given to the model for a call that was running when its session
 * stopped: nobody knows whether it took effect.
 *
 * @internal
 */
export const INTERRUPTED_CALL_ERROR =
  "The session stopped while this call was running, so its effect is unknown. Check the current state before repeating it.";

/**
 * The tool result given to the model for a call that was still waiting for the user's
 * approval when its session stopped: it never ran, so making it again is safe.
 *
 * @internal
 */
export const UNAPPROVED_CALL_ERROR =
  "The session stopped while this call waited for the user's approval, so it was never run. Make it again if it is still needed.";
