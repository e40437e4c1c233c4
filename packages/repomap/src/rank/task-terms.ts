import type { StringTable } from "../cache/packed-tags.js";

/** What a task text names: identifiers and path-like words. */
export interface TaskTerms {
  /** Identifier-like words (three characters or more), as written. */
  identifiers: Set<string>;
  /** The same, lower-cased, for matching file names. */
  lowered: Set<string>;
  /** Words that look like paths (`src/app.py`, `app.py`). */
  paths: Set<string>;
}

/**
 * Pulls the words a task names out of its text: identifiers (`parse_config`,
 * `UserStore.save` gives `UserStore` and `save`) and path-like words.
 *
 * @param task - The task text.
 * @returns The terms.
 */
export function taskTerms(task: string): TaskTerms {
  const identifiers = new Set<string>();
  const paths = new Set<string>();
  for (const word of task.match(/[\w./\\-]+/g) ?? []) {
    const trimmed = word.replace(/^[./\\-]+(?=\w)|[.,:;)\]]+$/g, "");
    if (/[/\\]|\.\w{1,5}$/.test(trimmed))
      paths.add(trimmed.replace(/\\/g, "/").replace(/^\.\//, ""));
  }
  for (const word of task.match(/[A-Za-z_$][\w$]*/g) ?? []) {
    if (word.length >= 3) identifiers.add(word);
  }
  return { identifiers, lowered: new Set([...identifiers].map((w) => w.toLowerCase())), paths };
}

/**
 * Whether the task names an identifier (by string id): as written, or, for names of five
 * letters or more, in any case. Remembers each answer.
 *
 * @param strings - The strings the ids point at.
 * @param terms - The task's terms.
 * @returns The test.
 */
export function mentionTest(strings: StringTable, terms: TaskTerms): (id: number) => boolean {
  const known = new Int8Array(strings.size); // 0 not yet asked, 1 no, 2 yes
  const loweredLengths = new Set([...terms.lowered].map((term) => term.length));
  return (id) => {
    if (known[id] === 0) {
      const name = strings.at(id);
      const yes =
        terms.identifiers.has(name) ||
        (name.length >= 5 &&
          loweredLengths.has(name.length) &&
          terms.lowered.has(name.toLowerCase()));
      known[id] = yes ? 2 : 1;
    }
    return known[id] === 2;
  };
}
