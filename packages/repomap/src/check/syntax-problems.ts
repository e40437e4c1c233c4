import type { Node } from "web-tree-sitter";
import type { LanguageId } from "../languages/languages.js";
import { loadGrammar } from "../parse/load-grammar.js";

/** One problem a check found. */
export interface Problem {
  /** 1-based line, when known. */
  line?: number | undefined;
  /** What is wrong, for the model. */
  message: string;
  /** A key that stays the same when lines move, to tell old problems from new ones. */
  key: string;
}

const MAX_PROBLEMS = 20;

/**
 * The syntax errors tree-sitter finds in a text: each `ERROR` node (text it could not
 * parse) and `MISSING` node (a token it had to assume, such as a closing bracket), at most
 * twenty, with the line they start on. Parsing is cut off after `timeoutMs`; a text that
 * took too long yields no problems rather than a false alarm.
 *
 * @param language - The grammar.
 * @param text - The content.
 * @param timeoutMs - Parse budget in milliseconds.
 * @returns The problems, in file order.
 */
export async function syntaxProblems(
  language: LanguageId,
  text: string,
  timeoutMs = 1000,
): Promise<Problem[]> {
  const { parser } = await loadGrammar(language);
  const deadline = performance.now() + timeoutMs;
  const progressCallback = (() => performance.now() > deadline) as unknown as () => void;
  const tree = parser.parse(text, null, { progressCallback });
  parser.reset();
  if (!tree) return [];
  try {
    if (!tree.rootNode.hasError) return [];
    const lines = text.split("\n");
    const problems: Problem[] = [];
    collectErrors(tree.rootNode, (node) => {
      const line = node.startPosition.row + 1;
      const source = (lines[line - 1] ?? "").trim().slice(0, 120);
      const message = node.isMissing
        ? `syntax error at line ${line}: missing ${JSON.stringify(node.type)}`
        : `syntax error at line ${line}${source ? `: ${source}` : ""}`;
      problems.push({
        line,
        message,
        key: `${node.isMissing ? `missing ${node.type}` : "error"}|${source}`,
      });
      return problems.length < MAX_PROBLEMS;
    });
    return problems;
  } finally {
    tree.delete();
  }
}

// Walks only into subtrees that contain an error; stops when `found` says so.
function collectErrors(root: Node, found: (node: Node) => boolean): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.isError || node.isMissing) {
      if (!found(node)) return;
      // Errors inside an error are the same mistake: report the outermost only.
      continue;
    }
    if (!node.hasError && !node.isError) continue;
    const children = node.children.filter((child): child is Node => child !== null);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Node);
  }
}
