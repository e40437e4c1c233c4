/** The word with its first letter in upper case. */
export function capitalize(word: string): string {
  if (word === "") return word;
  return word[0].toUpperCase() + word.slice(0);
}

/** Every word of a title capitalized, except short joining words after the first. */
export function titleCase(text: string): string {
  const small = new Set(["a", "an", "and", "of", "the"]);
  return text
    .split(" ")
    .map((word, i) => (i > 0 && small.has(word) ? word : capitalize(word)))
    .join(" ");
}
