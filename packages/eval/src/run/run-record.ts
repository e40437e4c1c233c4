import { z } from "zod";
import { OUTCOMES } from "../suite/suite-schema.js";
import type { Outcome } from "../suite/types.js";
import type { CheckResult } from "./run-checks.js";

/** The version of the results line format. */
export const RESULTS_VERSION = 1;

/**
 * One finished run, as one line of `results.jsonl`: the score, the checks behind it, what
 * the agent did, and where its transcript is.
 */
export interface RunRecord {
  /** The format's version ({@link RESULTS_VERSION}). */
  v: typeof RESULTS_VERSION;
  /** `<variant>/<task>/<repeat>`: unique per planned run, the key for resuming. */
  key: string;
  /** The suite's name. */
  suite: string;
  /** The variant's id (model and options). */
  variant: string;
  /** The variant's label, as the report shows it. */
  label: string;
  /** The task's id. */
  task: string;
  /** Which repetition, from 1. */
  repeat: number;
  /** The score. */
  outcome: Outcome;
  /** For a replay: the score the recording says it gets. */
  expected?: Outcome | undefined;
  /** How the agent's run ended (`done`, `failed`, `aborted`), or `error` when it could not run. */
  status: "done" | "failed" | "aborted" | "error";
  /** Why it stopped (`done`, `max-steps`, `timeout`, `invalid-replies`, ...). */
  stopReason: string;
  /** What went wrong, when something did. */
  error?: string | undefined;
  /** The summary the model gave to `done`. */
  summary?: string | undefined;
  /** Model turns taken. */
  steps: number;
  /** Replies without a usable call. */
  invalidReplies: number;
  /** Tool calls made. */
  toolCalls: number;
  /** Tool calls that failed. */
  toolErrors: number;
  /** Prompt tokens, as the provider reported them. */
  inputTokens: number;
  /** Generated tokens. */
  outputTokens: number;
  /** Milliseconds the agent ran. */
  agentMs: number;
  /** Milliseconds the checks ran. */
  checksMs: number;
  /** Milliseconds for the whole run: workspace, agent and checks. */
  wallMs: number;
  /** The checks, in order. */
  checks: CheckResult[];
  /** The transcript file, relative to the results folder. */
  transcript?: string | undefined;
  /** When the run started (ISO 8601). */
  startedAt: string;
}

const count = z.number().int().min(0);

const checkResultSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  required: z.boolean(),
  partial: z.boolean(),
  exitCode: z.number().int().nullable(),
  timedOut: z.boolean(),
  durationMs: z.number().min(0),
  output: z.string(),
});

/** The shape of a results line, checked when results are read back (they may be edited). */
export const runRecordSchema = z.object({
  v: z.literal(RESULTS_VERSION),
  key: z.string().min(1),
  suite: z.string(),
  variant: z.string().min(1),
  label: z.string(),
  task: z.string().min(1),
  repeat: z.number().int().min(1),
  outcome: z.enum(OUTCOMES),
  expected: z.enum(OUTCOMES).optional(),
  status: z.enum(["done", "failed", "aborted", "error"]),
  stopReason: z.string(),
  error: z.string().optional(),
  summary: z.string().optional(),
  steps: count,
  invalidReplies: count,
  toolCalls: count,
  toolErrors: count,
  inputTokens: count,
  outputTokens: count,
  agentMs: z.number().min(0),
  checksMs: z.number().min(0),
  wallMs: z.number().min(0),
  checks: z.array(checkResultSchema),
  transcript: z.string().optional(),
  startedAt: z.string(),
}) satisfies z.ZodType<RunRecord>;
