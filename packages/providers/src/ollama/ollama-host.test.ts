import { describe, expect, it } from "vitest";
import { resolveOllamaHost } from "./ollama-host.js";

describe("resolveOllamaHost", () => {
  it.each([
    [undefined, "http://127.0.0.1:11434"],
    ["", "http://127.0.0.1:11434"],
    ["0.0.0.0", "http://127.0.0.1:11434"],
    ["0.0.0.0:8000", "http://127.0.0.1:8000"],
    ["gpu-box", "http://gpu-box:11434"],
    ["gpu-box:9999", "http://gpu-box:9999"],
    ["http://gpu-box", "http://gpu-box:11434"],
    ["http://gpu-box:80", "http://gpu-box"],
    ["https://ollama.example.com", "https://ollama.example.com"],
    ["https://ollama.example.com/proxy/", "https://ollama.example.com/proxy"],
    ["[::]:11434", "http://127.0.0.1:11434"],
  ])("reads OLLAMA_HOST=%j as %s", (value, expected) => {
    expect(resolveOllamaHost(value)).toBe(expected);
  });
});
