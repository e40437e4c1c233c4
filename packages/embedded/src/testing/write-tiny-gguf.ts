import { writeFile } from "node:fs/promises";

/** Options of {@link buildTinyGguf} and {@link writeTinyGguf}. */
export interface TinyGgufOptions {
  /** Seed of the random weights: the same seed gives the same file. Default 1. */
  seed?: number;
  /** The context length the model declares. Default 4096. */
  contextLength?: number;
  /** The model name stored in the file. Default `"tiny-random"`. */
  name?: string;
  /**
   * The number of tokens in the vocabulary. Default: the smallest one (about 280: control
   * tokens, the 256 bytes and a few pieces). A larger size (such as 32,000, the size of
   * Llama and Gemma 1 vocabularies) fills it with generated word pieces, so that text has
   * several spellings in tokens as with real models; the file grows by about 256 bytes a
   * token (about 8 MB at 32,000).
   */
  vocabularySize?: number;
}

// GGUF metadata value types.
const U32 = 4;
const I32 = 5;
const F32 = 6;
const BOOL = 7;
const STRING = 8;
const ARRAY = 9;
const GGML_TYPE_F32 = 0;
const ALIGNMENT = 32;

const EMBEDDING = 32;
const FEED_FORWARD = 64;
const HEADS = 2;
const HEAD_DIM = EMBEDDING / HEADS;

/** The id of `<0x00>`: the byte tokens follow the five control tokens. */
const FIRST_BYTE_TOKEN = 5;
const BIAS_FEATURE = 3;
const HIGH_BYTE_PENALTY = 6;

// SentencePiece token types.
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;

/**
 * Ordinary pieces after the byte tokens. Byte fallback already spells any text; these
 * make common protocol text cheaper, so a constrained reply takes fewer steps.
 */
const PIECES = [
  "<tool>",
  '"name"',
  '"args"',
  '"path"',
  '"summary"',
  "▁the",
  "▁a",
  "e",
  "t",
  "a",
  "o",
  "▁",
  "{",
  "}",
  ":",
  '"',
  ",",
];

/**
 * A Gemma-style chat template: `<start_of_turn>user` / `model` turns, with the system
 * text folded into the first user turn.
 */
const CHAT_TEMPLATE = [
  "{{ bos_token }}",
  "{%- set ns = namespace(prefix='') -%}",
  "{%- for message in messages -%}",
  "{%- if message['role'] == 'system' -%}",
  "{%- set ns.prefix = message['content'] + '\\n\\n' -%}",
  "{%- else -%}",
  "{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}",
  "{{ '<start_of_turn>' + role + '\\n' + ns.prefix + (message['content'] | trim) + '<end_of_turn>\\n' }}",
  "{%- set ns.prefix = '' -%}",
  "{%- endif -%}",
  "{%- endfor -%}",
  "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\\n' }}{%- endif -%}",
].join("");

interface Vocabulary {
  tokens: string[];
  scores: number[];
  types: number[];
}

/**
 * Pieces a large vocabulary holds first: parts of the protocol's own text, so that a
 * model can spell `</tool>` or a quote-and-brace in more than one way.
 */
const PROTOCOL_PIECES = [
  "</",
  "tool",
  "</tool>",
  "oo",
  "ol",
  "to",
  "ool",
  "<",
  ">",
  "/",
  "▁{",
  '":',
  '",',
  '"}',
  "}}",
  "}\n",
  "_file",
  "read",
  "write",
  "search",
  "done",
  "path",
  '▁"',
];

const PIECE_LETTERS = "etaoinshrdlucmfwypvbgkjqxz";

/** The `index`-th generated word piece: letters, some with the word-start marker. */
function generatedPiece(index: number): string {
  let text = "";
  let n = index;
  do {
    text += PIECE_LETTERS[n % PIECE_LETTERS.length];
    n = Math.floor(n / PIECE_LETTERS.length);
  } while (n > 0);
  if (text.length < 2) text += "e";
  return index % 3 === 0 ? `▁${text}` : text;
}

function vocabulary(size?: number): Vocabulary {
  const tokens = ["<unk>", "<s>", "</s>", "<start_of_turn>", "<end_of_turn>"];
  const types = [UNKNOWN, CONTROL, CONTROL, CONTROL, CONTROL];
  const scores = [0, 0, 0, 0, 0];
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(BYTE);
    scores.push(0);
  }
  const seen = new Set(tokens);
  const add = (piece: string) => {
    if (seen.has(piece)) return;
    seen.add(piece);
    tokens.push(piece);
    types.push(NORMAL);
    scores.push(-tokens.length);
  };
  for (const piece of PIECES) add(piece);
  if (size !== undefined && size > tokens.length) {
    for (const piece of PROTOCOL_PIECES) add(piece);
    for (let i = 0; tokens.length < size; i++) add(generatedPiece(i));
  }
  return { tokens, scores, types };
}

/** A small deterministic generator (mulberry32), so the same seed gives the same weights. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class ByteWriter {
  private chunks: Uint8Array[] = [];
  length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  u32(value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value, true);
    this.push(b);
  }

  i32(value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, value, true);
    this.push(b);
  }

  u64(value: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(value), true);
    this.push(b);
  }

  f32(value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
  }

  string(text: string): void {
    const bytes = new TextEncoder().encode(text);
    this.u64(bytes.length);
    this.push(bytes);
  }

  bytes(bytes: Uint8Array): void {
    this.push(bytes);
  }

  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    if (pad > 0) this.push(new Uint8Array(pad));
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

type MetaValue =
  | { type: typeof U32 | typeof I32 | typeof F32 | typeof BOOL; value: number | boolean }
  | { type: typeof STRING; value: string }
  | {
      type: typeof ARRAY;
      of: typeof I32 | typeof F32 | typeof STRING;
      values: (number | string)[];
    };

function writeScalar(w: ByteWriter, type: number, value: number | boolean | string): void {
  if (type === U32) w.u32(value as number);
  else if (type === I32) w.i32(value as number);
  else if (type === F32) w.f32(value as number);
  else if (type === BOOL) w.bytes(new Uint8Array([value ? 1 : 0]));
  else if (type === STRING) w.string(value as string);
}

// long-function: test helper: writes one GGUF file field by field in the order the format stores them
/**
 * Builds a tiny GGUF model with random weights: llama architecture, one block,
 * embedding width 32, a SentencePiece-style vocabulary of control tokens, the 256 byte
 * tokens (so any UTF-8 text tokenizes) and a few pieces, and a Gemma-style chat
 * template. llama.cpp loads and runs it in milliseconds. Its free text is noise, but
 * under a grammar it writes well-formed output, which is what engine tests need.
 *
 * @param options - Seed, declared context length and name.
 * @returns The file's bytes.
 */
export function buildTinyGguf(options: TinyGgufOptions = {}): Uint8Array {
  const vocab = vocabulary(options.vocabularySize);
  const size = vocab.tokens.length;
  const metadata: [string, MetaValue][] = [
    ["general.architecture", { type: STRING, value: "llama" }],
    ["general.name", { type: STRING, value: options.name ?? "tiny-random" }],
    ["general.file_type", { type: U32, value: 0 }],
    ["llama.context_length", { type: U32, value: options.contextLength ?? 4096 }],
    ["llama.embedding_length", { type: U32, value: EMBEDDING }],
    ["llama.block_count", { type: U32, value: 1 }],
    ["llama.feed_forward_length", { type: U32, value: FEED_FORWARD }],
    ["llama.attention.head_count", { type: U32, value: HEADS }],
    ["llama.attention.head_count_kv", { type: U32, value: HEADS }],
    ["llama.rope.dimension_count", { type: U32, value: HEAD_DIM }],
    ["llama.attention.layer_norm_rms_epsilon", { type: F32, value: 1e-5 }],
    ["llama.vocab_size", { type: U32, value: size }],
    ["tokenizer.ggml.model", { type: STRING, value: "llama" }],
    ["tokenizer.ggml.tokens", { type: ARRAY, of: STRING, values: vocab.tokens }],
    ["tokenizer.ggml.scores", { type: ARRAY, of: F32, values: vocab.scores }],
    ["tokenizer.ggml.token_type", { type: ARRAY, of: I32, values: vocab.types }],
    ["tokenizer.ggml.bos_token_id", { type: U32, value: 1 }],
    ["tokenizer.ggml.eos_token_id", { type: U32, value: 2 }],
    ["tokenizer.ggml.unknown_token_id", { type: U32, value: 0 }],
    ["tokenizer.ggml.eot_token_id", { type: U32, value: 4 }],
    ["tokenizer.ggml.add_bos_token", { type: BOOL, value: true }],
    ["tokenizer.chat_template", { type: STRING, value: CHAT_TEMPLATE }],
  ];

  // Dimensions are listed innermost first, as GGUF stores them.
  const tensors: { name: string; dims: number[]; norm?: boolean }[] = [
    { name: "token_embd.weight", dims: [EMBEDDING, size] },
    { name: "output_norm.weight", dims: [EMBEDDING], norm: true },
    { name: "output.weight", dims: [EMBEDDING, size] },
    { name: "blk.0.attn_norm.weight", dims: [EMBEDDING], norm: true },
    { name: "blk.0.attn_q.weight", dims: [EMBEDDING, EMBEDDING] },
    { name: "blk.0.attn_k.weight", dims: [EMBEDDING, HEADS * HEAD_DIM] },
    { name: "blk.0.attn_v.weight", dims: [EMBEDDING, HEADS * HEAD_DIM] },
    { name: "blk.0.attn_output.weight", dims: [EMBEDDING, EMBEDDING] },
    { name: "blk.0.ffn_norm.weight", dims: [EMBEDDING], norm: true },
    { name: "blk.0.ffn_gate.weight", dims: [EMBEDDING, FEED_FORWARD] },
    { name: "blk.0.ffn_up.weight", dims: [EMBEDDING, FEED_FORWARD] },
    { name: "blk.0.ffn_down.weight", dims: [FEED_FORWARD, EMBEDDING] },
  ];

  const w = new ByteWriter();
  w.bytes(new TextEncoder().encode("GGUF"));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.length);
  for (const [key, entry] of metadata) {
    w.string(key);
    w.u32(entry.type);
    if (entry.type === ARRAY) {
      w.u32(entry.of);
      w.u64(entry.values.length);
      for (const value of entry.values) writeScalar(w, entry.of, value);
    } else writeScalar(w, entry.type, entry.value);
  }

  const next = random(options.seed ?? 1);
  const data: Float32Array[] = [];
  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of tensors) {
    const count = tensor.dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(count);
    // Norm weights are ones; the rest uniform noise, wide enough that logits differ.
    for (let i = 0; i < count; i++) values[i] = tensor.norm ? 1 : (next() * 2 - 1) * 0.5;
    if (tensor.name === "token_embd.weight") {
      // Every embedding carries a large constant in dimension 0 ...
      for (let token = 0; token < size; token++) values[token * EMBEDDING] = BIAS_FEATURE;
    }
    if (tensor.name === "output.weight") {
      // ... which the output layer reads only against the bytes 0x80-0xFF. Noise over all
      // byte tokens mostly spells invalid UTF-8; this keeps sampled text mostly ASCII
      // while every byte stays reachable.
      for (let token = 0; token < size; token++) {
        const byte = token - FIRST_BYTE_TOKEN;
        values[token * EMBEDDING] = byte >= 0x80 && byte <= 0xff ? -HIGH_BYTE_PENALTY : 0;
      }
    }
    data.push(values);
    offsets.push(offset);
    offset += Math.ceil((count * 4) / ALIGNMENT) * ALIGNMENT;
  }
  tensors.forEach((tensor, i) => {
    w.string(tensor.name);
    w.u32(tensor.dims.length);
    for (const dim of tensor.dims) w.u64(dim);
    w.u32(GGML_TYPE_F32);
    w.u64(offsets[i] as number);
  });
  w.padTo(ALIGNMENT);
  for (const values of data) {
    w.bytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    w.padTo(ALIGNMENT);
  }
  return w.concat();
}

/**
 * Writes {@link buildTinyGguf}'s model to a file, for tests that need a real model
 * the engine can load without any download.
 *
 * @param path - Where to write the `.gguf` file.
 * @param options - Seed, declared context length and name.
 * @returns The path written.
 *
 * @example
 * ```ts
 * const modelPath = await writeTinyGguf(join(tmp, "tiny.gguf"), { seed: 7 });
 * const provider = createEmbedded({ model: modelPath, contextSize: 2048 });
 * ```
 */
export async function writeTinyGguf(path: string, options: TinyGgufOptions = {}): Promise<string> {
  await writeFile(path, buildTinyGguf(options));
  return path;
}
