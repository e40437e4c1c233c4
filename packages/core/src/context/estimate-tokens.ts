// Split into letter runs, single digits, whitespace runs and single symbols: the
// units a SentencePiece tokenizer with a large vocabulary (Gemma's is 256k) mostly
// maps to one token each, long words to a few.
const PIECE = /[\p{L}\p{M}]+|\s+|[^\p{L}\p{M}\s]/gu;

/**
 * Estimates how many tokens a Gemma-like tokenizer makes of a text. It is a
 * heuristic for budgeting, tuned to err slightly high on code, and linear in the
 * text length. Where a provider can count exactly (`ModelProvider.countTokens`)
 * the agent uses that instead.
 *
 * @param text - Any text.
 * @returns The estimated token count.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const match of text.matchAll(PIECE)) {
    const piece = match[0];
    const code = piece.charCodeAt(0);
    if (code === 32 || code === 9 || code === 10 || code === 13) {
      // A lone space folds into the next word; a newline or an indent run is a token.
      if (piece !== " ") tokens += Math.max(1, countNewlines(piece));
    } else if (piece.length > 1 || /\p{L}/u.test(piece)) {
      tokens += Math.ceil(piece.length / 5);
    } else {
      tokens += 1;
    }
  }
  return tokens;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
