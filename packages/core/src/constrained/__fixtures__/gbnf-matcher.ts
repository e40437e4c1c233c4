/**
 * A small GBNF recognizer for tests: parses the subset of GBNF the grammar builders
 * write (literals, character classes, rule references, groups, `? * + {m} {m,} {m,n}`)
 * and tells whether a whole text matches the start rule. It is a memoised
 * set-of-positions matcher, fine for the short texts tests use; the real engine is
 * checked separately in the embedded package.
 */

type Item =
  | { kind: "lit"; cps: number[]; min: number; max: number }
  | { kind: "cls"; negate: boolean; ranges: [number, number][]; min: number; max: number }
  | { kind: "ref"; name: string; min: number; max: number }
  | { kind: "group"; alt: Item[][]; min: number; max: number };

export interface GbnfGrammar {
  rules: Map<string, Item[][]>;
  /** Whether the whole text matches the rule (default `root`). */
  matches(text: string, rule?: string): boolean;
}

function parseEscape(src: string, i: number): [number, number] {
  const c = src[i + 1];
  switch (c) {
    case "n":
      return [10, i + 2];
    case "r":
      return [13, i + 2];
    case "t":
      return [9, i + 2];
    case "x":
      return [Number.parseInt(src.slice(i + 2, i + 4), 16), i + 4];
    case "u":
      return [Number.parseInt(src.slice(i + 2, i + 6), 16), i + 6];
    case "U":
      return [Number.parseInt(src.slice(i + 2, i + 10), 16), i + 10];
    default:
      return [(c as string).codePointAt(0) as number, i + 1 + (c as string).length];
  }
}

function readChar(src: string, i: number): [number, number] {
  if (src[i] === "\\") return parseEscape(src, i);
  const cp = src.codePointAt(i) as number;
  return [cp, i + (cp > 0xffff ? 2 : 1)];
}

/** Parses GBNF text. Throws on syntax it does not understand. */
export function parseGbnf(src: string): GbnfGrammar {
  const rules = new Map<string, Item[][]>();
  let i = 0;
  const skip = (newlines: boolean) => {
    for (;;) {
      const c = src[i];
      if (c === "#") {
        while (i < src.length && src[i] !== "\n") i++;
      } else if (c === " " || c === "\t" || (newlines && (c === "\n" || c === "\r"))) i++;
      else break;
    }
  };
  const name = (): string => {
    const m = /^[a-zA-Z0-9-]+/.exec(src.slice(i));
    if (!m) throw new Error(`GBNF: expected a name at ${i}: ${src.slice(i, i + 20)}`);
    i += m[0].length;
    return m[0];
  };
  const quantifier = (): [number, number] => {
    const c = src[i];
    if (c === "?") return i++, [0, 1];
    if (c === "*") return i++, [0, Number.POSITIVE_INFINITY];
    if (c === "+") return i++, [1, Number.POSITIVE_INFINITY];
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (!m) throw new Error(`GBNF: bad repetition at ${i}`);
      i += m[0].length;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
      return [min, max];
    }
    return [1, 1];
  };
  const alternatives = (inGroup: boolean): Item[][] => {
    const alts: Item[][] = [[]];
    for (;;) {
      skip(inGroup);
      const c = src[i];
      if (c === undefined || c === "\n" || c === "\r") {
        // A rule may continue on the next line only inside a group.
        if (inGroup) throw new Error("GBNF: unclosed group");
        break;
      }
      if (c === ")") {
        if (!inGroup) throw new Error(`GBNF: unexpected ) at ${i}`);
        break;
      }
      if (c === "|") {
        i++;
        alts.push([]);
        continue;
      }
      let item: Item;
      if (c === '"') {
        i++;
        const cps: number[] = [];
        while (src[i] !== '"') {
          if (i >= src.length) throw new Error("GBNF: unclosed literal");
          const [cp, next] = readChar(src, i);
          cps.push(cp);
          i = next;
        }
        i++;
        item = { kind: "lit", cps, min: 1, max: 1 };
      } else if (c === "[") {
        i++;
        const negate = src[i] === "^";
        if (negate) i++;
        const ranges: [number, number][] = [];
        while (src[i] !== "]") {
          if (i >= src.length) throw new Error("GBNF: unclosed class");
          const [from, next] = readChar(src, i);
          i = next;
          if (src[i] === "-" && src[i + 1] !== "]") {
            const [to, after] = readChar(src, i + 1);
            ranges.push([from, to]);
            i = after;
          } else ranges.push([from, from]);
        }
        i++;
        item = { kind: "cls", negate, ranges, min: 1, max: 1 };
      } else if (c === "(") {
        i++;
        const alt = alternatives(true);
        if (src[i] !== ")") throw new Error("GBNF: expected )");
        i++;
        item = { kind: "group", alt, min: 1, max: 1 };
      } else {
        const start = i;
        const ref = name();
        skip(false);
        if (src.startsWith("::=", i)) {
          i = start;
          break;
        }
        item = { kind: "ref", name: ref, min: 1, max: 1 };
      }
      const [min, max] = quantifier();
      item.min = min;
      item.max = max;
      (alts[alts.length - 1] as Item[]).push(item);
    }
    return alts;
  };
  for (;;) {
    skip(true);
    if (i >= src.length) break;
    const ruleName = name();
    skip(false);
    if (!src.startsWith("::=", i)) throw new Error(`GBNF: expected ::= after ${ruleName}`);
    i += 3;
    if (rules.has(ruleName)) throw new Error(`GBNF: rule ${ruleName} defined twice`);
    rules.set(ruleName, alternatives(false));
  }
  for (const alts of rules.values()) checkRefs(alts, rules);

  return {
    rules,
    matches(text: string, rule = "root"): boolean {
      const cps = Array.from(text, (ch) => ch.codePointAt(0) as number);
      const memo = new Map<string, Set<number>>();
      const matchRule = (nameRef: string, pos: number): Set<number> => {
        const key = `${nameRef}@${pos}`;
        const known = memo.get(key);
        if (known) return known;
        const out = new Set<number>();
        memo.set(key, out);
        for (const end of matchAlts(rules.get(nameRef) as Item[][], pos)) out.add(end);
        return out;
      };
      const matchAlts = (alts: Item[][], pos: number): Set<number> => {
        const out = new Set<number>();
        for (const seq of alts) for (const end of matchSeq(seq, 0, pos)) out.add(end);
        return out;
      };
      const matchSeq = (seq: Item[], index: number, pos: number): Set<number> => {
        if (index === seq.length) return new Set([pos]);
        const out = new Set<number>();
        for (const mid of matchRepeated(seq[index] as Item, pos)) {
          for (const end of matchSeq(seq, index + 1, mid)) out.add(end);
        }
        return out;
      };
      const matchOnce = (item: Item, pos: number): Set<number> => {
        switch (item.kind) {
          case "lit": {
            for (let k = 0; k < item.cps.length; k++) {
              if (cps[pos + k] !== item.cps[k]) return new Set();
            }
            return new Set([pos + item.cps.length]);
          }
          case "cls": {
            const cp = cps[pos];
            if (cp === undefined) return new Set();
            const inRange = item.ranges.some(([a, b]) => cp >= a && cp <= b);
            return inRange !== item.negate ? new Set([pos + 1]) : new Set();
          }
          case "ref":
            return matchRule(item.name, pos);
          case "group":
            return matchAlts(item.alt, pos);
        }
      };
      const matchRepeated = (item: Item, pos: number): Set<number> => {
        if (item.min === 1 && item.max === 1) return matchOnce(item, pos);
        const out = new Set<number>();
        // Past the minimum, reaching a position again (with less budget left) adds nothing.
        const seen = new Set<number>();
        if (item.min === 0) {
          out.add(pos);
          seen.add(pos);
        }
        let frontier = new Set([pos]);
        for (let count = 1; count <= item.max && frontier.size > 0; count++) {
          const next = new Set<number>();
          for (const p of frontier) for (const end of matchOnce(item, p)) next.add(end);
          if (count < item.min) {
            frontier = next;
            continue;
          }
          frontier = new Set();
          for (const p of next) {
            if (seen.has(p)) continue;
            seen.add(p);
            out.add(p);
            frontier.add(p);
          }
        }
        return out;
      };
      return matchRule(rule, 0).has(cps.length);
    },
  };
}

function checkRefs(alts: Item[][], rules: Map<string, Item[][]>): void {
  for (const seq of alts) {
    for (const item of seq) {
      if (item.kind === "ref" && !rules.has(item.name)) {
        throw new Error(`GBNF: undefined rule ${item.name}`);
      }
      if (item.kind === "group") checkRefs(item.alt, rules);
    }
  }
}

function itemRefs(alts: Item[][], out: Set<string>): void {
  for (const seq of alts) {
    for (const item of seq) {
      if (item.kind === "ref") out.add(item.name);
      if (item.kind === "group") itemRefs(item.alt, out);
    }
  }
}

/** Rules that cannot derive any finite text: a model inside one could never finish. */
export function unproductiveRules(grammar: GbnfGrammar): string[] {
  const productive = new Set<string>();
  const itemOk = (item: Item): boolean => {
    if (item.min === 0) return true;
    if (item.kind === "ref") return productive.has(item.name);
    if (item.kind === "group") return item.alt.some((seq) => seq.every(itemOk));
    if (item.kind === "cls") return item.negate || item.ranges.length > 0;
    return true;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, alts] of grammar.rules) {
      if (!productive.has(name) && alts.some((seq) => seq.every(itemOk))) {
        productive.add(name);
        changed = true;
      }
    }
  }
  return [...grammar.rules.keys()].filter((name) => !productive.has(name));
}

/**
 * Whether the language of `rule` is finite: no unbounded repetition and no recursion
 * is reachable from it, so every reply it admits has a bounded length.
 */
export function isFiniteLanguage(grammar: GbnfGrammar, rule = "root"): boolean {
  const unbounded = (alts: Item[][]): boolean =>
    alts.some((seq) =>
      seq.some(
        (item) =>
          item.max === Number.POSITIVE_INFINITY || (item.kind === "group" && unbounded(item.alt)),
      ),
    );
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string): boolean => {
    const s = state.get(name);
    if (s === "visiting") return false;
    if (s === "done") return true;
    state.set(name, "visiting");
    const alts = grammar.rules.get(name) as Item[][];
    if (unbounded(alts)) return false;
    const refs = new Set<string>();
    itemRefs(alts, refs);
    for (const ref of refs) if (!visit(ref)) return false;
    state.set(name, "done");
    return true;
  };
  return visit(rule);
}
