import {
  type FinishPart,
  GemmaCoderError,
  type NoticePart,
  type StreamPart,
} from "@gemma-coder/core";
import type { SleepFunction } from "../http/options.js";

/** Everything a stream produced. */
export interface Collected {
  /** Every part in order. */
  parts: StreamPart[];
  /** The text deltas joined. */
  text: string;
  /** The finish part, when the stream ended normally. */
  finish?: FinishPart;
  /** The notices. */
  notices: NoticePart[];
  /** The error the stream threw, when it threw. */
  error?: GemmaCoderError;
}

/**
 * Drains a provider stream, catching a typed error.
 *
 * @param stream - The stream.
 * @returns What it produced.
 */
export async function collect(stream: AsyncIterable<StreamPart>): Promise<Collected> {
  const result: Collected = { parts: [], text: "", notices: [] };
  try {
    for await (const part of stream) {
      result.parts.push(part);
      if (part.type === "text-delta") result.text += part.text;
      if (part.type === "notice") result.notices.push(part);
      if (part.type === "finish") result.finish = part;
    }
  } catch (error) {
    if (!GemmaCoderError.isInstance(error)) throw error;
    result.error = error;
  }
  return result;
}

/** A sleep that returns at once and records what it was asked to wait. */
export interface RecordingSleep extends SleepFunction {
  /** The requested delays, in order. */
  readonly delays: number[];
}

/**
 * Creates a {@link RecordingSleep}.
 *
 * @returns The sleep.
 */
export function recordingSleep(): RecordingSleep {
  const delays: number[] = [];
  const sleep = (async (ms: number) => {
    delays.push(ms);
  }) as RecordingSleep;
  Object.defineProperty(sleep, "delays", { value: delays });
  return sleep;
}
