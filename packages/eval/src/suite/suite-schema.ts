import { z } from "zod";
import { parseDuration } from "./duration.js";

// The shapes of the files a suite is made of. Objects are strict so that a misspelt field
// is reported instead of silently ignored: a typo in "required" must not change a score.

const duration = z
  .union([z.number(), z.string()])
  .refine((value) => parseDuration(value) !== undefined, {
    message: 'must be a positive duration: seconds (90) or "500ms", "90s", "10m", "1h"',
  })
  .transform((value) => parseDuration(value) as number);

const positiveInt = z.number().int().min(1);
const nonEmpty = z.string().trim().min(1, "must not be empty");

/** How much the agent may do in a suite's runs: what the approval hook answers. */
export const APPROVAL_POLICIES = ["allow-all", "no-shell", "read-only"] as const;

/** The `suite.json` manifest at the root of a suite folder. */
export const suiteManifestSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a plain name (letters, digits, . _ -)"),
    description: z.string().optional(),
    approvals: z.enum(APPROVAL_POLICIES).default("allow-all"),
    tasks: z.array(nonEmpty).min(1).optional(),
    defaults: z
      .object({
        maxSteps: positiveInt.optional(),
        timeout: duration.optional(),
        checkTimeout: duration.optional(),
      })
      .strict()
      .default({}),
    /** Commands that must succeed before any run (what the suite's checks need installed). */
    requires: z.array(nonEmpty).optional(),
  })
  .strict();

const gitSource = z
  .object({
    git: nonEmpty,
    commit: z.string().regex(/^[0-9a-f]{7,40}$/i, "must be a commit hash (7 to 40 hex digits)"),
  })
  .strict();

/** Where a task's workspace comes from: a folder of the task, or a git repository at a commit. */
export const fixtureSchema = z.union([z.object({ folder: nonEmpty }).strict(), gitSource], {
  error:
    'must be {"folder": "<folder of the task>"} or {"git": "<repository>", "commit": "<hash>"}',
});

/** Files laid over the workspace after the agent ran and before the checks. */
export const overlaySchema = z.union(
  [
    z.object({ folder: nonEmpty }).strict(),
    z.object({ commit: gitSource.shape.commit, paths: z.array(nonEmpty).min(1) }).strict(),
  ],
  { error: 'must be {"folder": "<folder>"} or {"commit": "<hash>", "paths": ["<path>", ...]}' },
);

/** One check: a shell command run in the workspace after the agent; exit code 0 passes. */
export const checkSchema = z
  .object({
    name: nonEmpty,
    run: nonEmpty,
    required: z.boolean().default(true),
    partial: z.boolean().default(false),
    timeout: duration.optional(),
  })
  .strict();

/** A `task.json` file. */
export const taskFileSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a plain name (letters, digits, . _ -)")
      .optional(),
    title: z.string().optional(),
    language: z.string().optional(),
    kind: z.string().optional(),
    prompt: nonEmpty,
    fixture: fixtureSchema,
    overlay: overlaySchema.optional(),
    checks: z.array(checkSchema).min(1, "needs at least one check"),
    maxSteps: positiveInt.optional(),
    timeout: duration.optional(),
    links: z.array(z.string()).optional(),
  })
  .strict()
  .refine((task) => task.checks.some((check) => check.required), {
    message: "needs at least one required check",
    path: ["checks"],
  })
  .refine((task) => !(task.overlay && "commit" in task.overlay && !("git" in task.fixture)), {
    message: "an overlay from a commit needs a git fixture",
    path: ["overlay"],
  });

/** The score a run gets. */
export const OUTCOMES = ["pass", "partial", "fail"] as const;

/**
 * One scripted model reply: raw text, or a tool call (with optional prose before it), or
 * text with a delay before it (to stand for a model that takes long, or never answers).
 */
export const scriptedReplySchema = z.union([
  z.string(),
  z
    .object({
      text: z.string().optional(),
      tool: nonEmpty.optional(),
      args: z.record(z.string(), z.unknown()).optional(),
      delayMs: z.number().int().min(0).optional(),
    })
    .strict()
    .refine((reply) => reply.text !== undefined || reply.tool !== undefined, {
      message: 'a reply needs "text" or "tool"',
    })
    .refine((reply) => reply.args === undefined || reply.tool !== undefined, {
      message: '"args" goes with "tool"',
    }),
]);

/** A recording of a task (`replays/<name>.json`): the replies and the score they should get. */
export const recordingSchema = z
  .object({
    expect: z.enum(OUTCOMES),
    description: z.string().optional(),
    replies: z.array(scriptedReplySchema).min(1).optional(),
    transcript: nonEmpty.optional(),
  })
  .strict()
  .refine(
    (recording) => (recording.replies === undefined) !== (recording.transcript === undefined),
    {
      message: 'a recording has either "replies" or "transcript" (a JSONL transcript file)',
      path: ["replies"],
    },
  );
