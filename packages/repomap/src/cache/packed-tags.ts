import type { LanguageId } from "../languages/languages.js";
import type { Definition, FileTags, Reference } from "../parse/file-tags.js";

/**
 * The strings of a tag index (names, kinds, signatures), each held once and referred to
 * by its id. Those read from the cache stay one joined string with their end offsets, and
 * a string is cut out only when asked for: a warm start then decodes a handful of large
 * values instead of tens of thousands of small ones. On a 1,000-file repository that
 * object churn, and the garbage collection it caused, was most of a warm map's time.
 *
 * In a long-lived process the table only grows (an edited file's new signatures are
 * added; the old ones stay until the cache is next written, which keeps only live
 * strings): a few strings per edit.
 */
export class StringTable {
  private readonly added: string[] = [];
  private ids: Map<string, number> | undefined;

  /**
   * @param joined - The strings read from the cache, one after the other.
   * @param ends - Where each of them ends in `joined` (non-decreasing, at most its length).
   */
  constructor(
    private readonly joined = "",
    private readonly ends: Int32Array = new Int32Array(0),
  ) {}

  /** How many strings there are; ids are `0..size - 1`. */
  get size(): number {
    return this.ends.length + this.added.length;
  }

  /**
   * A string by id.
   *
   * @param id - Its id, below {@link size}.
   * @returns The string.
   */
  at(id: number): string {
    const base = this.ends.length;
    if (id >= base) return this.added[id - base] as string;
    return this.joined.slice(id === 0 ? 0 : this.ends[id - 1], this.ends[id]);
  }

  /**
   * The id of a string, added when new. The lookup map is built on first use, so a warm
   * start that parses nothing never builds it.
   *
   * @param text - The string.
   * @returns Its id.
   */
  intern(text: string): number {
    if (!this.ids) {
      this.ids = new Map();
      for (let id = 0; id < this.size; id++) this.ids.set(this.at(id), id);
    }
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.size;
      this.added.push(text);
      this.ids.set(text, id);
    }
    return id;
  }

  /**
   * Every string joined, with their end offsets: what the constructor takes back.
   *
   * @returns The joined strings and their ends.
   */
  toJoined(): { joined: string; ends: Int32Array } {
    return joinStrings(Array.from({ length: this.size }, (_, id) => this.at(id)));
  }
}

/**
 * Joins strings into one, with the offset where each ends.
 *
 * @param strings - The strings.
 * @returns The joined text and the end of each string in it.
 */
export function joinStrings(strings: readonly string[]): { joined: string; ends: Int32Array } {
  const ends = new Int32Array(strings.length);
  let at = 0;
  strings.forEach((text, i) => {
    at += text.length;
    ends[i] = at;
  });
  return { joined: strings.join(""), ends };
}

/** Numbers per definition in {@link PackedTags.defs}: name, kind, line, signature, depth. */
export const DEF_STRIDE = 5;
/** Numbers per reference in {@link PackedTags.refs}: name, line. */
export const REF_STRIDE = 2;

/**
 * One file's tags with every string an id in a {@link StringTable}: `defs` holds
 * [name, kind, line, signature, depth] per definition and `refs` [name, line] per
 * reference, in file order.
 */
export interface PackedTags {
  /** The grammar it was parsed with; none for a file listed by name only. */
  language?: LanguageId | undefined;
  /** Why it was not parsed. */
  skipped?: string | undefined;
  /** {@link DEF_STRIDE} numbers per definition. */
  defs: ArrayLike<number>;
  /** {@link REF_STRIDE} numbers per reference. */
  refs: ArrayLike<number>;
}

/** A file with no tags (not a language the map parses). */
export const NO_TAGS: PackedTags = Object.freeze({ defs: [], refs: [] });

/**
 * Packs a parse's tags, interning their strings.
 *
 * @param tags - The tags as the parser gives them.
 * @param table - Where their strings go.
 * @returns The packed tags.
 */
export function packTags(tags: FileTags, table: StringTable): PackedTags {
  const defs: number[] = [];
  for (const def of tags.defs) {
    defs.push(
      table.intern(def.name),
      table.intern(def.kind),
      def.line,
      table.intern(def.signature),
      def.depth,
    );
  }
  const refs: number[] = [];
  for (const ref of tags.refs) refs.push(table.intern(ref.name), ref.line);
  return {
    ...(tags.language === undefined ? {} : { language: tags.language }),
    ...(tags.skipped === undefined ? {} : { skipped: tags.skipped }),
    defs,
    refs,
  };
}

/**
 * The `index`-th definition of packed tags, as an object.
 *
 * @param tags - The packed tags.
 * @param index - Which definition (0-based).
 * @param strings - The table the ids are in.
 * @returns The definition.
 */
export function definitionAt(tags: PackedTags, index: number, strings: StringTable): Definition {
  const at = index * DEF_STRIDE;
  const { defs } = tags;
  return {
    name: strings.at(defs[at] as number),
    kind: strings.at(defs[at + 1] as number),
    line: defs[at + 2] as number,
    signature: strings.at(defs[at + 3] as number),
    depth: defs[at + 4] as number,
  };
}

/**
 * The `index`-th reference of packed tags, as an object.
 *
 * @param tags - The packed tags.
 * @param index - Which reference (0-based).
 * @param strings - The table the ids are in.
 * @returns The reference.
 */
export function referenceAt(tags: PackedTags, index: number, strings: StringTable): Reference {
  const at = index * REF_STRIDE;
  return { name: strings.at(tags.refs[at] as number), line: tags.refs[at + 1] as number };
}
