/**
 * Quotes a word for a command line shown to the user (a hint to copy and paste): plain
 * words stay as they are, anything else goes in double quotes, which POSIX shells,
 * PowerShell and cmd all read.
 *
 * @param word - A path, an id or a message.
 * @returns The word, quoted when needed.
 */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./\\-]+$/.test(word)) return word;
  return `"${word.replace(/(["$`])/g, "\\$1")}"`;
}
