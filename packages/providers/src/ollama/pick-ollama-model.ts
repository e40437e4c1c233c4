/**
 * Picks the Ollama model to use from the pulled ones: the one asked for, else the default,
 * else a Gemma 4, else any Gemma, else the first chat model.
 *
 * @param names - The pulled model names.
 * @param wanted - The model asked for, if any.
 * @param preferred - The default model.
 * @returns The name, or `undefined` when none fits.
 */
export function pickOllamaModel(
  names: readonly string[],
  wanted: string | undefined,
  preferred: string,
): string | undefined {
  const same = (name: string, tag: string) =>
    name === tag || name === `${tag}:latest` || `${name}:latest` === tag;
  if (wanted !== undefined) return names.find((name) => same(name, wanted));
  const chat = names.filter((name) => !/embed/i.test(name));
  return (
    chat.find((name) => same(name, preferred)) ??
    chat.find((name) => name.startsWith("gemma4")) ??
    chat.find((name) => name.startsWith("gemma")) ??
    chat[0]
  );
}
