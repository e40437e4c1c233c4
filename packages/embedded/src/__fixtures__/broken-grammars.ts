// Run as a child process by broken-grammar.test.ts. llama.cpp's grammar parser writes its
// errors straight to the process's stderr, not through the engine's log callback, so a test
// that feeds it broken grammars on purpose runs it here and asserts on that output instead of
// letting it reach the test run's own output.
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { createEmbedded } from "../create-embedded.js";

const BROKEN = ['root ::= "unclosed', "root ::= missing-rule", "root ::= [a-"];
const modelFile = process.argv[2] ?? "";

const llama = await getLlama({
  gpu: false,
  build: "never",
  logLevel: LlamaLogLevel.error,
  logger: () => {},
});
const engineRejects: boolean[] = [];
for (const grammar of BROKEN) {
  engineRejects.push(
    await llama.createGrammar({ grammar }).then(
      () => false,
      () => true,
    ),
  );
}

const provider = createEmbedded({ model: modelFile, contextSize: 512, gpu: false, threads: 1 });
const messages = [{ role: "user" as const, content: "Say something." }];
let refused: { code?: string | undefined; message?: string } = {};
try {
  for await (const _part of provider.streamChat({
    messages,
    constraint: { type: "grammar", grammar: BROKEN[0] ?? "" },
  })) {
    // a broken grammar must fail before any text
  }
} catch (error) {
  refused = { code: (error as { code?: string }).code, message: (error as Error).message };
}
// The provider keeps working after the refusal.
let finish: string | undefined;
for await (const part of provider.streamChat({
  messages,
  maxTokens: 3,
  constraint: { type: "grammar", grammar: "root ::= [a-z]{2000}" },
})) {
  if (part.type === "finish") finish = part.reason;
}
await provider.dispose();
process.stdout.write(`${JSON.stringify({ engineRejects, refused, finish })}\n`);
