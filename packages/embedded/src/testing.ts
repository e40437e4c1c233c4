export type { TinyGgufOptions } from "./testing/write-tiny-gguf.js";
export { buildTinyGguf, writeTinyGguf } from "./testing/write-tiny-gguf.js";
