import type { LanguageId } from "../languages/languages.js";

/** A definition found in a file. */
export interface Definition {
  /** The name. */
  name: string;
  /** What it is: `class`, `function`, `method`, `type`, `interface`, `struct`... */
  kind: string;
  /** 1-based line of the definition's first line. */
  line: number;
  /** The head of the definition (up to its body), on one line. */
  signature: string;
  /** How many definitions enclose it (a method in a class is 1). */
  depth: number;
}

/** A use of a name in a file. */
export interface Reference {
  /** The name used. */
  name: string;
  /** 1-based line. */
  line: number;
}

/** What the map knows about one file. */
export interface FileTags {
  /** The grammar it was parsed with, or `undefined` for a file listed by name only. */
  language?: LanguageId | undefined;
  /** Its definitions, in file order. */
  defs: Definition[];
  /** Its references, in file order. */
  refs: Reference[];
  /** Why it was not parsed (too large, minified, generated, parse timed out). */
  skipped?: string | undefined;
}
