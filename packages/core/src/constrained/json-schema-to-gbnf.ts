/**
 * A JSON schema to GBNF converter built for tool calls: it keeps declared property order,
 * lets optional properties be left out, bounds strings where the schema does, and
 * never writes a grammar the model cannot finish. The grammar is kept unambiguous
 * where it is cheap to, because llama.cpp tracks every open parse at each token.
 */

/** Options shared by the grammar builders. */
export interface GbnfBuildOptions {
  /**
   * A cap on strings that have no `maxLength` in their schema, counted in characters
   * (a `<` with the few characters after it counts once). Default
   * {@link DEFAULT_MAX_STRING_CHARS}: a path, a pattern or a name is short, and a model
   * whose sampling goes astray inside a string must reach the closing quote before the
   * token limit. `Infinity` leaves such strings unbounded.
   */
  maxStringChars?: number | undefined;
  /**
   * The cap for strings without `maxLength` under one of {@link longStringProperties}
   * (file content, replacement text). Default {@link DEFAULT_MAX_LONG_STRING_CHARS}; the
   * agent lowers it to fit its output budget.
   */
  maxLongStringChars?: number | undefined;
  /**
   * Property names whose strings hold long text and get `maxLongStringChars` instead of
   * `maxStringChars`. Default {@link DEFAULT_LONG_STRING_PROPERTIES}.
   */
  longStringProperties?: readonly string[] | undefined;
  /**
   * A cap on arrays that have no `maxItems` in their schema, and on the members of
   * objects of free shape. Default {@link DEFAULT_MAX_ARRAY_ITEMS}.
   */
  maxArrayItems?: number | undefined;
}

/** The default cap on a string without `maxLength` (a path, a pattern, a command). */
export const DEFAULT_MAX_STRING_CHARS = 256;
/** The default cap on a long string (file content) without `maxLength`. */
export const DEFAULT_MAX_LONG_STRING_CHARS = 4096;
/** The default cap on arrays without `maxItems` and on the members of free-shape objects. */
export const DEFAULT_MAX_ARRAY_ITEMS = 64;
/**
 * The property names whose strings are long text by default: the default tools' file
 * content (`content`), edit text (`old`, `new`) and a few common spellings of the same.
 */
export const DEFAULT_LONG_STRING_PROPERTIES: readonly string[] = [
  "content",
  "old",
  "new",
  "text",
  "old_string",
  "new_string",
  "patch",
  "diff",
];

/** Options of {@link jsonSchemaToGbnf}. */
export interface JsonSchemaToGbnfOptions extends GbnfBuildOptions {
  /** The name of the start rule. Default `"root"`. */
  rootRuleName?: string;
}

type Schema = Record<string, unknown>;

/** Digits allowed in a number with no bound: enough for any safe integer written in full. */
const MAX_DIGITS = 15;
const MAX_LT_RUN = 16;

function isRecord(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Escapes text for a GBNF double-quoted literal. */
export function gbnfLiteral(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function sanitizeName(hint: string): string {
  const name = hint
    .replace(/[^a-zA-Z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return name === "" ? "r" : name;
}

/** Plain JSON string characters other than `<`, minus the characters in `except`. */
function plainClass(except = ""): string {
  const extra = except.replace(/[\]\\^-]/g, (c) => `\\${c}`);
  return `[^"\\\\<\\x00-\\x1f${extra}]`;
}

/**
 * Accumulates named rules. Identical bodies share one rule, so a schema used by many
 * tools (or many properties) costs one rule.
 */
export class GbnfWriter {
  private readonly rules = new Map<string, string>();
  private readonly byBody = new Map<string, string>();
  private readonly defs = new Map<string, string>();
  /** Names taken by `$defs` rules whose bodies are still being built. */
  private readonly reserved = new Set<string>();
  private readonly options: GbnfBuildOptions;
  private readonly longProperties: ReadonlySet<string>;
  private rootDefs: Schema = {};
  /** The property whose value is being written, which picks a string's default cap. */
  private property: string | undefined;

  constructor(options: GbnfBuildOptions = {}) {
    this.options = options;
    this.longProperties = new Set(options.longStringProperties ?? DEFAULT_LONG_STRING_PROPERTIES);
  }

  /** The cap for a string without `maxLength` at the current property. */
  private stringCap(): number | undefined {
    const long = this.property !== undefined && this.longProperties.has(this.property);
    const cap = long
      ? (this.options.maxLongStringChars ?? DEFAULT_MAX_LONG_STRING_CHARS)
      : (this.options.maxStringChars ?? DEFAULT_MAX_STRING_CHARS);
    return Number.isFinite(cap) ? Math.max(0, Math.floor(cap)) : undefined;
  }

  private arrayCap(): number | undefined {
    const cap = this.options.maxArrayItems ?? DEFAULT_MAX_ARRAY_ITEMS;
    return Number.isFinite(cap) ? Math.max(0, Math.floor(cap)) : undefined;
  }

  /** Adds a rule (or finds an identical one) and returns its name. */
  rule(hint: string, body: string): string {
    const existing = this.byBody.get(body);
    if (existing !== undefined) return existing;
    const name = this.freshName(hint);
    this.rules.set(name, body);
    this.byBody.set(body, name);
    return name;
  }

  /** Sets a fixed rule name (used for `root` and the shared building blocks). */
  define(name: string, body: string): string {
    const existing = this.rules.get(name);
    if (existing !== undefined && existing !== body) {
      throw new Error(`Internal error: GBNF rule ${name} defined twice.`);
    }
    if (existing === undefined) {
      this.rules.set(name, body);
      if (!this.byBody.has(body)) this.byBody.set(body, name);
    }
    return name;
  }

  private freshName(hint: string): string {
    const base = sanitizeName(hint);
    let name = base;
    for (let i = 2; this.rules.has(name) || this.reserved.has(name); i++) name = `${base}-${i}`;
    return name;
  }

  /** Renders every rule, `root` first. */
  render(rootName = "root"): string {
    const lines: string[] = [];
    const root = this.rules.get(rootName);
    if (root !== undefined) lines.push(`${rootName} ::= ${root}`);
    for (const [name, body] of this.rules) if (name !== rootName) lines.push(`${name} ::= ${body}`);
    return `${lines.join("\n")}\n`;
  }

  /** Optional whitespace between JSON tokens: a space, or a newline and some indentation. */
  ws(): string {
    return this.define("ws", '( " " | "\\n" [ \\t]{0,16} )?');
  }

  private escape(): string {
    return this.define("json-escape", '"\\\\" ( ["\\\\/bfnrt] | "u" [0-9a-fA-F]{4} )');
  }

  /**
   * One unit of string content. A literal `</tool>` can never appear: a run of `<`
   * must be followed by something that breaks the `</tool>` spelling, so the stop
   * sequence can never cut a string short. Other `<` text (`</div>`, `a < b`) is fine.
   */
  private stringUnit(): string {
    const esc = this.escape();
    const tail = "/tool>";
    let follower = `( ${plainClass(tail[tail.length - 1])} | ${esc} )`;
    for (let i = tail.length - 2; i >= 0; i--) {
      const next = tail[i] as string;
      follower = `( ${plainClass(next)} | ${esc} | ${gbnfLiteral(next)} ${follower} )`;
    }
    const ltUnit = this.define("json-lt", `"<"{1,${MAX_LT_RUN}} ${follower}`);
    // The `<`-prefixed states a string may end in: `<`, `</`, ... `</tool`.
    let endTail = "";
    for (let i = tail.length - 2; i >= 0; i--) {
      endTail = `( ${gbnfLiteral(tail[i] as string)}${endTail ? ` ${endTail}` : ""} )?`;
    }
    this.define("json-lt-end", `"<"{1,${MAX_LT_RUN}} ${endTail}`);
    return this.define("json-unit", `${plainClass()} | ${esc} | ${ltUnit}`);
  }

  /** A plain character with no raw `<`: used where an exact length is needed. */
  private strictChar(): string {
    return this.define("json-char", `${plainClass()} | ${this.escape()}`);
  }

  /** A JSON string with optional length bounds. */
  string(minLength = 0, maxLength?: number): string {
    const min = Math.max(0, Math.floor(minLength));
    if (maxLength !== undefined && Number.isFinite(maxLength)) {
      // An exact bound cannot let a `<` unit count as one character, so a raw `<` is
      // left out here; the model writes it as \u003c.
      const max = Math.max(min, Math.floor(maxLength));
      const char = this.strictChar();
      return this.rule(`string-${min}-${max}`, `"\\"" ${repeat(char, min, max)} "\\""`);
    }
    const unit = this.stringUnit();
    const cap = this.stringCap();
    const bound = cap === undefined ? undefined : Math.max(min, cap);
    const body = `"\\"" ${repeat(`( ${unit} )`, min, bound)} json-lt-end? "\\""`;
    return this.rule(
      min === 0 && bound === undefined ? "string" : `string-${min}-${bound ?? "n"}`,
      body,
    );
  }

  /** Any JSON number, with no `-` when negatives are ruled out. */
  number(nonNegative: boolean): string {
    const sign = nonNegative ? "" : '"-"? ';
    return this.rule(
      nonNegative ? "number-nonneg" : "number",
      // Wide enough for any number JSON.stringify writes (up to 21 integer digits, and
      // small fractions in full), still bounded so a model cannot spiral in one.
      `${sign}( "0" | [1-9] [0-9]{0,20} ) ( "." [0-9]{1,24} )? ( [eE] [-+]? [0-9]{1,3} )?`,
    );
  }

  /** An integer in `[min, max]` (either side open). */
  integer(min?: number, max?: number): string {
    const lo =
      min === undefined || Math.abs(min) >= Number.MAX_SAFE_INTEGER ? undefined : Math.ceil(min);
    const hi =
      max === undefined || Math.abs(max) >= Number.MAX_SAFE_INTEGER ? undefined : Math.floor(max);
    if (lo !== undefined && hi !== undefined && lo > hi) return this.integer();
    const parts: string[] = [];
    if (lo === undefined || lo < 0) {
      // Negative values, written as "-" and their absolute value.
      const absLo = hi === undefined || hi >= 0 ? 1 : -hi;
      const absHi = lo === undefined ? undefined : -lo;
      parts.push(`"-" ${nonNegativeRange(absLo, absHi)}`);
    }
    if (hi === undefined || hi >= 0) parts.push(nonNegativeRange(Math.max(0, lo ?? 0), hi));
    const name = `integer${lo === undefined ? "" : `-from-${lo < 0 ? `m${-lo}` : lo}`}${hi === undefined ? "" : `-to-${hi < 0 ? `m${-hi}` : hi}`}`;
    return this.rule(name, parts.join(" | "));
  }

  /** Any JSON value. */
  anyValue(): string {
    const ws = this.ws();
    // A free-shape value is not a named argument: it gets the short string cap.
    const saved = this.property;
    this.property = undefined;
    const str = this.string();
    this.property = saved;
    const num = this.number(false);
    const more = (item: string) => {
      const cap = this.arrayCap();
      return repeat(`( ${ws} "," ${ws} ${item} )`, 0, cap === undefined ? undefined : cap - 1);
    };
    this.define(
      "json-object",
      `"{" ${ws} ( ${str} ${ws} ":" ${ws} json-value ${more(`${str} ${ws} ":" ${ws} json-value`)} ${ws} )? "}"`,
    );
    this.define("json-array", `"[" ${ws} ( json-value ${more("json-value")} ${ws} )? "]"`);
    return this.define(
      "json-value",
      `json-object | json-array | ${str} | ${num} | "true" | "false" | "null"`,
    );
  }

  /**
   * Registers the `$defs` of a root schema so `$ref`s can point at them; recursive
   * definitions work because a rule may name itself.
   */
  setDefs(schema: Schema): void {
    const defs = schema.$defs ?? schema.definitions;
    this.rootDefs = isRecord(defs) ? defs : {};
    // Each schema has its own `$defs` namespace; rules already written keep their names.
    this.defs.clear();
  }

  /** Returns a GBNF expression (usually a rule name) for a schema. */
  value(schema: unknown, hint: string): string {
    if (schema === true || schema === undefined) return this.anyValue();
    if (schema === false || !isRecord(schema)) return this.anyValue();

    if (typeof schema.$ref === "string") return this.ref(schema.$ref);
    if ("const" in schema) return this.literal(schema.const);
    if (Array.isArray(schema.enum) && schema.enum.length > 0) {
      return this.rule(`${hint}-enum`, schema.enum.map((v) => this.literal(v)).join(" | "));
    }
    const union = (schema.anyOf ?? schema.oneOf) as unknown;
    if (Array.isArray(union) && union.length > 0) {
      const alternatives = union.map((alt, i) =>
        this.value(mergeSiblings(schema, alt), `${hint}-${i}`),
      );
      return this.rule(`${hint}-alt`, unique(alternatives).join(" | "));
    }
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1) {
      return this.value(mergeSiblings(schema, schema.allOf[0]), hint);
    }
    if (Array.isArray(schema.type)) {
      const alternatives = schema.type.map((type) =>
        this.value({ ...schema, type }, `${hint}-${type}`),
      );
      return this.rule(`${hint}-types`, unique(alternatives).join(" | "));
    }
    switch (schema.type) {
      case "string":
        return this.string(num(schema.minLength) ?? 0, num(schema.maxLength));
      case "integer":
        return this.integer(lowerBound(schema), upperBound(schema));
      case "number": {
        const lo = lowerBound(schema);
        return this.number(lo !== undefined && lo >= 0);
      }
      case "boolean":
        return this.rule("boolean", '"true" | "false"');
      case "null":
        return this.rule("null", '"null"');
      case "array":
        return this.array(schema, hint);
      case "object":
        return this.object(schema, hint);
      default:
        if (isRecord(schema.properties)) return this.object(schema, hint);
        if (schema.items !== undefined || Array.isArray(schema.prefixItems)) {
          return this.array(schema, hint);
        }
        return this.anyValue();
    }
  }

  private ref(ref: string): string {
    const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
    const key = match?.[1]?.replace(/~1/g, "/").replace(/~0/g, "~");
    const target = key === undefined ? undefined : this.rootDefs[key];
    if (key === undefined || target === undefined) return this.anyValue();
    const known = this.defs.get(key);
    if (known !== undefined) return known;
    const name = this.freshName(`def-${key}`);
    this.reserved.add(name);
    this.defs.set(key, name);
    const body = this.value(target, name);
    this.rules.set(name, body);
    return name;
  }

  private literal(value: unknown): string {
    return gbnfLiteral(JSON.stringify(value) ?? "null");
  }

  private array(schema: Schema, hint: string): string {
    const ws = this.ws();
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    const extraAllowed = schema.items !== false;
    const item = extraAllowed ? this.value(schema.items, `${hint}-item`) : undefined;
    let min = Math.max(0, Math.floor(num(schema.minItems) ?? 0));
    let max = num(schema.maxItems);
    const cap = this.arrayCap();
    if (max === undefined && cap !== undefined) max = Math.max(min, cap);
    if (!extraAllowed) max = Math.min(max ?? prefix.length, prefix.length);
    if (max !== undefined) max = Math.max(Math.floor(max), 0);
    if (max !== undefined && min > max) min = max;

    // Items in order: the prefix items first, then the repeated item.
    const slots: string[] = prefix.map((p, i) => this.value(p, `${hint}-${i}`));
    const sep = `${ws} "," ${ws}`;
    const build = (index: number, required: number, remaining: number | undefined): string => {
      // Returns the items from `index` on, each preceded by a separator.
      if (remaining === 0) return "";
      if (index < slots.length) {
        const rest = build(
          index + 1,
          Math.max(0, required - 1),
          remaining === undefined ? undefined : remaining - 1,
        );
        const one = `${sep} ${slots[index]}${rest ? ` ${rest}` : ""}`;
        return required > 0 ? one : `( ${one} )?`;
      }
      if (item === undefined) return "";
      return repeat(`( ${sep} ${item} )`, Math.max(0, required), remaining);
    };
    const first = slots[0] ?? item;
    if (first === undefined || max === 0) return this.rule(`${hint}-empty`, `"[" ${ws} "]"`);
    const restItems = build(1, Math.max(0, min - 1), max === undefined ? undefined : max - 1);
    const nonEmpty = `${first}${restItems ? ` ${restItems}` : ""} ${ws}`;
    const body = min > 0 ? `"[" ${ws} ${nonEmpty} "]"` : `"[" ${ws} ( ${nonEmpty} )? "]"`;
    return this.rule(`${hint}-array`, body);
  }

  private object(schema: Schema, hint: string): string {
    const ws = this.ws();
    const properties = isRecord(schema.properties) ? Object.entries(schema.properties) : [];
    if (properties.length === 0) {
      const extra = schema.additionalProperties;
      if (extra === false) return this.rule("empty-object", `"{" ${ws} "}"`);
      const saved = this.property;
      this.property = undefined;
      const value = isRecord(extra) ? this.value(extra, `${hint}-value`) : this.anyValue();
      const key = this.string();
      this.property = saved;
      const pair = `${key} ${ws} ":" ${ws} ${value}`;
      const cap = this.arrayCap();
      const more = repeat(
        `( ${ws} "," ${ws} ${pair} )`,
        0,
        cap === undefined ? undefined : cap - 1,
      );
      return this.rule(`${hint}-map`, `"{" ${ws} ( ${pair} ${more} ${ws} )? "}"`);
    }
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    const saved = this.property;
    const pairs = properties.map(([key, sub]) => {
      this.property = key;
      const value = this.value(sub, `${hint}-${key}`);
      return `${gbnfLiteral(JSON.stringify(key))} ${ws} ":" ${ws} ${value}`;
    });
    this.property = saved;
    // rest(i, first): the properties from i on, in declared order; optional ones may be
    // skipped, and a comma goes before every property but the first one written.
    const memo = new Map<string, string>();
    const rest = (i: number, first: boolean): string => {
      if (i === pairs.length) return "";
      const key = `${i}-${first}`;
      const known = memo.get(key);
      if (known !== undefined) return known;
      const lead = first ? "" : `"," ${ws} `;
      const after = rest(i + 1, false);
      const take = `${lead}${pairs[i]} ${ws}${after ? ` ${after}` : ""}`;
      const name = properties[i]?.[0] as string;
      let body: string;
      if (required.has(name)) body = take;
      else {
        const skip = rest(i + 1, first);
        body = skip ? `${take} | ${skip}` : `( ${take} )?`;
      }
      const ruleName = this.rule(`${hint}-${i}${first ? "" : "-c"}`, body);
      memo.set(key, ruleName);
      return ruleName;
    };
    // When every property is optional, rest(0) already matches the empty text.
    return this.rule(`${hint}-object`, `"{" ${ws} ${rest(0, true)} "}"`);
  }
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function lowerBound(schema: Schema): number | undefined {
  const min = num(schema.minimum);
  const exclusive = num(schema.exclusiveMinimum);
  if (exclusive !== undefined) {
    const value = schema.type === "integer" ? Math.floor(exclusive) + 1 : exclusive;
    return min === undefined ? value : Math.max(min, value);
  }
  return min;
}

function upperBound(schema: Schema): number | undefined {
  const max = num(schema.maximum);
  const exclusive = num(schema.exclusiveMaximum);
  if (exclusive !== undefined) {
    const value = schema.type === "integer" ? Math.ceil(exclusive) - 1 : exclusive;
    return max === undefined ? value : Math.min(max, value);
  }
  return max;
}

/** Applies a union member on top of its parent's other keywords (`{type, anyOf}` forms). */
function mergeSiblings(parent: Schema, member: unknown): unknown {
  if (!isRecord(member)) return member;
  const { anyOf: _a, oneOf: _o, allOf: _l, ...rest } = parent;
  if (Object.keys(rest).every((k) => k === "description" || k === "default" || k === "title")) {
    return member;
  }
  return { ...rest, ...member };
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** `item` repeated between `min` and `max` times (`max` undefined: no limit). */
function repeat(item: string, min: number, max: number | undefined): string {
  if (max === undefined) {
    if (min === 0) return `${item}*`;
    if (min === 1) return `${item}+`;
    return `${item}{${min},}`;
  }
  if (max === 0) return "";
  if (min === max) return min === 1 ? item : `${item}{${min}}`;
  if (min === 0 && max === 1) return `${item}?`;
  return `${item}{${min},${max}}`;
}

/** GBNF for the decimal integers in `[lo, hi]` (`hi` undefined: up to the digit cap), no leading zeros. */
function nonNegativeRange(lo: number, hi: number | undefined): string {
  const loDigits = String(lo).length;
  const alternatives: string[] = [];
  const hiDigits = hi === undefined ? loDigits : String(hi).length;
  for (let length = loDigits; length <= hiDigits; length++) {
    const from = Math.max(lo, length === 1 ? 0 : 10 ** (length - 1));
    const to = Math.min(hi ?? 10 ** length - 1, 10 ** length - 1);
    if (from <= to) alternatives.push(sameLengthRange(String(from), String(to)));
  }
  if (hi === undefined && loDigits < MAX_DIGITS) {
    alternatives.push(`[1-9] [0-9]{${loDigits},${MAX_DIGITS - 1}}`);
  }
  return alternatives.length === 1
    ? (alternatives[0] as string)
    : `( ${alternatives.join(" | ")} )`;
}

function digitClass(from: number, to: number): string {
  return from === to ? `"${from}"` : `[${from}-${to}]`;
}

/** The digit strings of one length between `lo` and `hi` inclusive (both that length). */
function sameLengthRange(lo: string, hi: string): string {
  if (lo === hi) return `"${lo}"`;
  const a = Number(lo[0]);
  const b = Number(hi[0]);
  const rest = lo.length - 1;
  if (rest === 0) return digitClass(a, b);
  const loRest = lo.slice(1);
  const hiRest = hi.slice(1);
  if (a === b) return `"${a}" ${wrap(sameLengthRange(loRest, hiRest))}`;
  const full = `[0-9]${rest === 1 ? "" : `{${rest}}`}`;
  const loFull = /^0+$/.test(loRest);
  const hiFull = /^9+$/.test(hiRest);
  const parts: string[] = [];
  const midFrom = loFull ? a : a + 1;
  const midTo = hiFull ? b : b - 1;
  if (!loFull) parts.push(`"${a}" ${wrap(sameLengthRange(loRest, "9".repeat(rest)))}`);
  if (midFrom <= midTo) parts.push(`${digitClass(midFrom, midTo)} ${full}`);
  if (!hiFull) parts.push(`"${b}" ${wrap(sameLengthRange("0".repeat(rest), hiRest))}`);
  return parts.length === 1 ? (parts[0] as string) : `( ${parts.join(" | ")} )`;
}

function wrap(expression: string): string {
  return expression.includes(" | ") && !expression.startsWith("( ")
    ? `( ${expression} )`
    : expression;
}

/**
 * Converts a JSON schema to a GBNF grammar whose start rule matches exactly the JSON
 * texts the schema allows, as far as a grammar can say it: types, `properties` in
 * declared order (optional ones may be left out; no others), `required`, `enum`,
 * `const`, `anyOf`/`oneOf`, `items`/`prefixItems`, `minItems`/`maxItems`,
 * `minLength`/`maxLength`, integer ranges, and `$ref` into `$defs` (recursion
 * included). `pattern`, `format` and number ranges other than the sign are not
 * expressed (the caller still validates); anything unrepresentable becomes "any JSON value".
 * Strings never contain a literal `</tool>`, so a `</tool>` stop sequence cannot cut one.
 *
 * @param schema - The JSON schema (draft 2020-12 or 7).
 * @param options - String and array caps, and the start rule's name.
 * @returns The grammar text.
 */
export function jsonSchemaToGbnf(
  schema: Record<string, unknown>,
  options: JsonSchemaToGbnfOptions = {},
): string {
  const writer = new GbnfWriter(options);
  writer.setDefs(schema);
  const rootName = options.rootRuleName ?? "root";
  const value = writer.value(schema, "value");
  writer.define(rootName, value);
  return writer.render(rootName);
}
