/**
 * Tag spelling drift: `<TOOL>`, `< tool >`, `</Tool >`, `<THINK>`. Small models change
 * the case and spacing of the tags they were taught; these are rewritten to the exact
 * spelling before the tags are looked for. JSON values inside calls are skipped, so a
 * file's content that mentions `<TOOL>` is never changed.
 */
import { scanJson } from "./json-scan.js";

const NAMES = "tool_call|function_call|tools|tool|thinking|think|thought";
// Bounded spacing keeps the search linear: no nested unbounded repetition.
const VARIANT = new RegExp(`<[ \\t]{0,3}(/?)[ \\t]{0,3}(${NAMES})[ \\t]{0,3}>`, "gi");
const CALL_NAMES = new Set(["tool_call", "function_call", "tools", "tool"]);
const GEMMA_OPEN = "<|tool_call>";
const GEMMA_CLOSE = "<tool_call|>";
/** A call body that starts with a JSON value (maybe fenced). */
const VALUE_START = /\s*(?:```[\w-]*\s*)?[{[]/y;

/**
 * Rewrites tag variants to their exact spelling, leaving call bodies untouched.
 *
 * @param text - A reply.
 * @returns The reply with canonical tags (the same string when nothing changed).
 */
export function canonicalizeTags(text: string): string {
  VARIANT.lastIndex = 0;
  let changed = false;
  for (let m = VARIANT.exec(text); m !== null; m = VARIANT.exec(text)) {
    if (m[0] !== m[0].toLowerCase().replace(/[ \t]/g, "")) {
      changed = true;
      break;
    }
  }
  if (!changed) return text;
  let out = "";
  let pos = 0;
  // A reply that is one bare JSON object is data from its first brace.
  if (text.trimStart().startsWith("{")) {
    const bare = scanJson(text);
    if (!bare.balanced) return text;
    out = text.slice(0, bare.end);
    pos = bare.end;
  }
  let gemma = text.indexOf(GEMMA_OPEN, pos);
  VARIANT.lastIndex = pos;
  for (let m = VARIANT.exec(text); m !== null; m = VARIANT.exec(text)) {
    if (gemma !== -1 && gemma < pos) gemma = text.indexOf(GEMMA_OPEN, pos);
    if (gemma !== -1 && gemma < m.index) {
      // A native call's body is not JSON: skip to its close untouched.
      const close = text.indexOf(GEMMA_CLOSE, gemma);
      const end = close === -1 ? text.length : close + GEMMA_CLOSE.length;
      out += text.slice(pos, end);
      pos = end;
      VARIANT.lastIndex = pos;
      continue;
    }
    const slash = m[1] ?? "";
    const name = (m[2] ?? "").toLowerCase();
    out += `${text.slice(pos, m.index)}<${slash}${name}>`;
    pos = m.index + m[0].length;
    VALUE_START.lastIndex = pos;
    if (slash === "" && CALL_NAMES.has(name) && VALUE_START.test(text)) {
      // Skip the call's JSON value so tags inside its strings stay as written.
      const value = scanJson(text.slice(pos));
      const end = value.balanced ? pos + value.end : text.length;
      out += text.slice(pos, end);
      pos = end;
    }
    VARIANT.lastIndex = pos;
  }
  return out + text.slice(pos);
}
