// Helps a model whose edit did not match: finds where its text was probably meant to go.

const MAX_SCANNED_LINES = 20_000;
const MAX_COMPARED_CHARS = 200;
const WINDOW_LINES = 6;

/** A run of file lines that resembles the text the model looked for. */
export interface LineMatch {
  /** The 1-based number of the first line. */
  line: number;
  /** How many lines the run spans. */
  count: number;
  /** 0 (nothing alike) to 1 (identical apart from surrounding whitespace). */
  score: number;
}

function normalize(line: string): string {
  return line.trim().replace(/\s+/g, " ");
}

/** Drops blank lines at the start and end; a model's snippet often carries them. */
function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end);
}

/**
 * Looks for the snippet ignoring differences in indentation and spacing.
 *
 * @param fileLines - The file, split on `\n`.
 * @param snippet - The text the model looked for.
 * @returns Where it occurs that way, or `undefined`.
 */
export function findIgnoringWhitespace(
  fileLines: readonly string[],
  snippet: string,
): LineMatch | undefined {
  const wanted = trimBlankLines(snippet.split("\n")).map(normalize);
  if (wanted.length === 0) return undefined;
  const limit = Math.min(fileLines.length, MAX_SCANNED_LINES);
  if (wanted.length === 1) {
    const needle = wanted[0]!;
    for (let i = 0; i < limit; i++) {
      if (normalize(fileLines[i]!).includes(needle)) return { line: i + 1, count: 1, score: 1 };
    }
    return undefined;
  }
  outer: for (let i = 0; i + wanted.length <= limit; i++) {
    for (let j = 0; j < wanted.length; j++) {
      if (normalize(fileLines[i + j]!) !== wanted[j]) continue outer;
    }
    return { line: i + 1, count: wanted.length, score: 1 };
  }
  return undefined;
}

function bigrams(text: string): Map<string, number> {
  const s = text.slice(0, MAX_COMPARED_CHARS);
  const map = new Map<string, number>();
  for (let i = 0; i < s.length - 1; i++) {
    const pair = s.slice(i, i + 2);
    map.set(pair, (map.get(pair) ?? 0) + 1);
  }
  return map;
}

function similarity(
  a: string,
  b: string,
  aPairs: Map<string, number>,
  bPairs: Map<string, number>,
): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  let shared = 0;
  for (const [pair, count] of aPairs) shared += Math.min(count, bPairs.get(pair) ?? 0);
  return (
    (2 * shared) /
    (Math.min(a.length, MAX_COMPARED_CHARS) - 1 + Math.min(b.length, MAX_COMPARED_CHARS) - 1)
  );
}

/**
 * Finds the run of lines most like the snippet, comparing its first lines one by one
 * (bigram similarity of the trimmed text).
 *
 * @param fileLines - The file, split on `\n`.
 * @param snippet - The text the model looked for.
 * @returns The best run, or `undefined` for an empty snippet or file.
 */
export function findClosestLines(
  fileLines: readonly string[],
  snippet: string,
): LineMatch | undefined {
  const wanted = trimBlankLines(snippet.split("\n")).map((line) => line.trim());
  if (wanted.length === 0 || fileLines.length === 0) return undefined;
  const compared = wanted.slice(0, WINDOW_LINES);
  const wantedPairs = compared.map(bigrams);
  const limit = Math.min(fileLines.length, MAX_SCANNED_LINES);
  const trimmed: (string | undefined)[] = [];
  const pairs: (Map<string, number> | undefined)[] = [];
  const lineAt = (i: number): [string, Map<string, number>] => {
    let text = trimmed[i];
    if (text === undefined) {
      text = fileLines[i]!.trim();
      trimmed[i] = text;
      pairs[i] = bigrams(text);
    }
    return [text, pairs[i]!];
  };
  let best: LineMatch | undefined;
  for (let i = 0; i < limit; i++) {
    let total = 0;
    for (let j = 0; j < compared.length && i + j < limit; j++) {
      const [text, textPairs] = lineAt(i + j);
      total += similarity(compared[j]!, text, wantedPairs[j]!, textPairs);
    }
    const score = total / compared.length;
    if (!best || score > best.score) {
      best = { line: i + 1, count: Math.min(wanted.length, fileLines.length - i), score };
    }
  }
  return best;
}
