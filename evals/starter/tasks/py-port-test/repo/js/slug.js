export function slugify(text, separator = "-") {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return words.join(separator);
}
