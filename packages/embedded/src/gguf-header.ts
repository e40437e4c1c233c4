import { open } from "node:fs/promises";
import { GemmaCoderError } from "@gemma-coder/core";

/** The sanity limit on tensor and metadata counts; real models have a few thousand. */
const MAX_COUNT = 1_000_000;

/**
 * Checks that a file starts like a GGUF model (magic, version 2 or 3, plausible
 * counts) before the engine reads it: the engine's reader can spin for a long time
 * on a file that is not GGUF at all.
 *
 * @param file - The model path.
 * @throws GemmaCoderError `invalid-argument` when the file is not a GGUF model.
 */
export async function assertGgufFile(file: string): Promise<void> {
  const handle = await open(file, "r");
  let header: Buffer;
  try {
    header = Buffer.alloc(24);
    const { bytesRead } = await handle.read(header, 0, 24, 0);
    header = header.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const fail = (why: string) =>
    new GemmaCoderError(`${file} is not a usable GGUF model: ${why}.`, {
      code: "invalid-argument",
      provider: "embedded",
    });
  if (header.length < 24 || header.toString("latin1", 0, 4) !== "GGUF") {
    throw fail("it does not start with the GGUF signature");
  }
  const version = header.readUInt32LE(4);
  if (version !== 2 && version !== 3) throw fail(`unsupported GGUF version ${version}`);
  const tensors = header.readBigUInt64LE(8);
  const entries = header.readBigUInt64LE(16);
  if (tensors > BigInt(MAX_COUNT) || entries > BigInt(MAX_COUNT)) {
    throw fail("its header counts are implausible (corrupt file?)");
  }
}
