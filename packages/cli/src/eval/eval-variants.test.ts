import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ModelProvider } from "@gemma-coder/core";
import { EvalFileError } from "@gemma-coder/eval";
import { afterEach, describe, expect, it } from "vitest";
import { parseEvalArgs } from "./eval-args.js";
import { buildVariants, variantSpecs } from "./eval-variants.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const fakeProvider = async (spec: {
  model?: string | undefined;
  provider?: string | undefined;
}) => ({
  provider: {
    id: spec.provider ?? "ollama",
    model: spec.model ?? "default",
    streamChat: async function* () {},
  } as ModelProvider,
});

describe("eval variants", () => {
  it("crosses every --model with every --constrained, and --set reaches each variant's agent", async () => {
    const args = parseEvalArgs([
      "evals/starter",
      "--model",
      "a",
      "--model",
      "b",
      "--constrained",
      "off",
      "--constrained",
      "grammar",
      "--set",
      "temperature=0",
    ]);
    const specs = await variantSpecs(args, { GEMMA_CODER_PROVIDER: "llama-cpp" }, "/");
    const variants = await buildVariants(specs, fakeProvider);
    expect(variants.map((v) => v.label)).toEqual([
      "a · constrained off · temperature=0",
      "a · constrained grammar · temperature=0",
      "b · constrained off · temperature=0",
      "b · constrained grammar · temperature=0",
    ]);
    expect(variants[1]?.agentOptions).toEqual({ constrainedDecoding: "grammar", temperature: 0 });
    expect(new Set(variants.map((v) => v.id)).size).toBe(4);
  });

  it("takes arbitrary agent option sets from a variants file, passed on as they are", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-variants-"));
    dirs.push(dir);
    writeFileSync(
      path.join(dir, "variants.json"),
      JSON.stringify([
        { label: "text", model: "e2b" },
        { label: "native", model: "e2b", agent: { protocol: "native" } },
      ]),
    );
    const args = parseEvalArgs(["evals/starter", "--variants", "variants.json"]);
    const variants = await buildVariants(await variantSpecs(args, {}, dir), fakeProvider);
    expect(variants.map((v) => [v.id, v.label])).toEqual([
      ["text", "text"],
      ["native", "native"],
    ]);
    expect(variants[1]?.agentOptions).toMatchObject({ protocol: "native" });
  });

  it("names the field of a broken variants file", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-variants-"));
    dirs.push(dir);
    writeFileSync(path.join(dir, "v.json"), JSON.stringify([{ model: "x", constrain: "json" }]));
    const error = await variantSpecs(parseEvalArgs(["s", "--variants", "v.json"]), {}, dir).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EvalFileError);
    expect((error as EvalFileError).file).toBe(path.join(dir, "v.json"));
    expect((error as EvalFileError).message).toContain("constrain");
  });

  it("rejects what does not go together, with the usage", () => {
    expect(() => parseEvalArgs(["s", "--replay", "--model", "x"])).toThrow(
      /--replay plays each task's recordings/,
    );
    expect(() => parseEvalArgs([])).toThrow(/Which suite\?[\s\S]*Usage: gemma-coder eval <suite>/);
    expect(() => parseEvalArgs(["s", "--repeat", "0"])).toThrow(/--repeat needs a whole number/);
    expect(() => parseEvalArgs(["s", "--set", "x"])).toThrow(/--set takes an agent option/);
  });
});
