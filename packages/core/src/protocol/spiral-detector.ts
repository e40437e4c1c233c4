/**
 * Detects degenerate output while a reply streams: the same text repeating (a line, a
 * sentence, a single token), a run of whitespace, or a thinking block that keeps saying
 * the same line. Small models at 3-5 tokens/s can spend many minutes in such a spiral
 * before the token limit ends it; the agent cuts it as soon as this detector speaks.
 *
 * Every character is looked at a bounded number of times, so feeding a reply costs time
 * linear in its length however it is chunked, and memory stays fixed (a ring buffer and
 * a fixed hash table) except for the thinking-line counts.
 */

/** What kind of degenerate output was seen. */
export type SpiralKind = "repetition" | "whitespace" | "thinking-loop";

/** A detected spiral. */
export interface Spiral {
  /** What repeated. */
  kind: SpiralKind;
  /** Offset in the reply where the degenerate part began. */
  start: number;
  /** Offset in the reply where it was detected (the characters fed so far). */
  at: number;
  /** A short sample of what repeated, for the log. */
  sample: string;
}

/** Thresholds of {@link createSpiralDetector}. The defaults suit replies of any length. */
export interface SpiralDetectorOptions {
  /** Longest repeating unit looked for, in characters. Default 256. */
  maxPeriod?: number;
  /** Characters of exact repetition (past the first copy) that make a spiral. Default 480. */
  minRepeatChars?: number;
  /** Fewest copies of a long unit that make a spiral. Default 3. */
  minCopies?: number;
  /** Consecutive whitespace characters that make a spiral. Default 160. */
  maxWhitespaceRun?: number;
  /** Times the same line may occur inside thinking blocks before it is a loop. Default 4. */
  maxThinkingLineRepeats?: number;
}

/** A spiral detector for one reply. */
export interface SpiralDetector {
  /**
   * Feeds a delta.
   *
   * @returns The spiral once one is detected (and from then on), else undefined.
   */
  push(delta: string): Spiral | undefined;
  /** The spiral detected so far, if any. */
  readonly spiral: Spiral | undefined;
}

const SEED = 12; // characters that must match before a period is followed
const TABLE_BITS = 14;
const THINK_OPEN = /<think>|<thinking>|<thought>|<\|channel>/g;
const THINK_CLOSE = /<\/think>|<\/thinking>|<\/thought>|<channel\|>/g;

// long-function: a factory: the detector's state lives in its closure and the returned methods are short
/**
 * Creates a {@link SpiralDetector}.
 *
 * @param options - Thresholds.
 * @returns A fresh detector.
 */
export function createSpiralDetector(options: SpiralDetectorOptions = {}): SpiralDetector {
  const maxPeriod = options.maxPeriod ?? 256;
  const minRepeat = options.minRepeatChars ?? 480;
  const minCopies = options.minCopies ?? 3;
  const maxWhitespace = options.maxWhitespaceRun ?? 160;
  const maxLineRepeats = options.maxThinkingLineRepeats ?? 4;

  const ringSize = 1 << Math.ceil(Math.log2(maxPeriod + SEED + 1));
  const ring = new Uint16Array(ringSize);
  const mask = ringSize - 1;
  // Last position (+1) where each hashed SEED-gram ended; 0 means none.
  const seen = new Int32Array(1 << TABLE_BITS);
  let pos = 0;
  let period = 0;
  let run = 0; // consecutive characters equal to the one `period` before
  let whitespace = 0;
  let spiral: Spiral | undefined;

  let line = "";
  let lineStart = 0;
  let thinking = 0;
  // Each line seen inside thinking: how often, and where it first began.
  const thinkingLines = new Map<string, { count: number; first: number }>();

  const sampleAt = (end: number, length: number): string => {
    let out = "";
    for (let i = Math.max(0, end - length); i < end; i++) {
      out += String.fromCharCode(ring[i & mask] as number);
    }
    return out;
  };

  // Hash of the SEED characters ending at `pos - 1`, recomputed from the ring (SEED is small).
  const seedHash = (): number => {
    let h = 0;
    for (let i = pos - SEED; i < pos; i++) h = (Math.imul(h, 31) + (ring[i & mask] as number)) | 0;
    return (h ^ (h >>> 15)) & ((1 << TABLE_BITS) - 1);
  };

  const seedMatches = (distance: number): boolean => {
    for (let i = pos - SEED; i < pos; i++) {
      if (ring[i & mask] !== ring[(i - distance) & mask]) return false;
    }
    return true;
  };

  const endLine = (): void => {
    const text = line;
    line = "";
    THINK_OPEN.lastIndex = 0;
    THINK_CLOSE.lastIndex = 0;
    const opens = text.match(THINK_OPEN)?.length ?? 0;
    const closes = text.match(THINK_CLOSE)?.length ?? 0;
    const inside = thinking > 0 || opens > 0;
    thinking = Math.max(0, thinking + opens - closes);
    const key = text.replace(/\s+/g, " ").trim().toLowerCase();
    if (!inside || key.length < 12) return;
    const seenLine = thinkingLines.get(key) ?? { count: 0, first: lineStart };
    seenLine.count++;
    thinkingLines.set(key, seenLine);
    if (seenLine.count > maxLineRepeats && spiral === undefined) {
      spiral = { kind: "thinking-loop", start: seenLine.first, at: pos, sample: key.slice(0, 80) };
    }
  };

  const feed = (code: number): void => {
    ring[pos & mask] = code;
    pos++;
    const ch = String.fromCharCode(code);

    whitespace = code === 32 || code === 10 || code === 9 || code === 13 ? whitespace + 1 : 0;
    if (whitespace >= maxWhitespace) {
      spiral = { kind: "whitespace", start: pos - whitespace, at: pos, sample: "" };
      return;
    }

    if (period > 0 && pos > period && ring[(pos - 1) & mask] === ring[(pos - 1 - period) & mask]) {
      run++;
      if (run >= Math.max(minRepeat, (minCopies - 1) * period)) {
        spiral = {
          kind: "repetition",
          start: pos - run - period,
          at: pos,
          sample: sampleAt(pos - run, Math.min(period, 80)),
        };
        return;
      }
    } else {
      period = 0;
      run = 0;
    }
    if (pos >= SEED) {
      const h = seedHash();
      const previous = seen[h] as number;
      seen[h] = pos;
      if (period === 0 && previous > 0) {
        const distance = pos - previous;
        if (distance > 0 && distance <= maxPeriod && seedMatches(distance)) {
          period = distance;
          run = SEED;
        }
      }
    }

    if (ch === "\n") {
      endLine();
      lineStart = pos;
    } else if (line.length < 400) line += ch;
  };

  return {
    push(delta: string): Spiral | undefined {
      for (let i = 0; i < delta.length && spiral === undefined; i++) feed(delta.charCodeAt(i));
      return spiral;
    },
    get spiral() {
      return spiral;
    },
  };
}

/** What the agent tells the model after cutting a spiral. */
export const SPIRAL_NUDGE =
  "Your reply was cut: it kept repeating itself. Do not repeat. Think in one or two short sentences, then send exactly one tool call.";
