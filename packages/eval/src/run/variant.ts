import type { AgentOptions, ModelProvider } from "@gemma-coder/core";
import type { EvalTask, Outcome } from "../suite/types.js";

/**
 * Agent options a variant sets: any of the {@link AgentOptions} but the ones each run
 * sets itself (provider, tools, workspace, session, approvals). Keys the installed core
 * does not know yet are passed on as they are, so a new option (a protocol, a sampler
 * setting) can be compared as soon as the agent takes it.
 */
export type VariantAgentOptions = Partial<
  Omit<AgentOptions, "provider" | "tools" | "workspace" | "session" | "approve" | "checkpointer">
> &
  Record<string, unknown>;

/** What a variant's provider factory is told about the run it serves. */
export interface VariantRunInfo {
  /** The task. */
  task: EvalTask;
  /** The repetition, from 1. */
  repeat: number;
}

/**
 * One column of a comparison: a model with a set of options. Every run of a variant gets
 * its provider from {@link EvalVariant.provider}, so a stateful model (a scripted one) can
 * be made afresh per run while an HTTP provider is shared.
 */
export interface EvalVariant {
  /** A stable id, used in result keys and file names (letters, digits, `.`, `_`, `-`). */
  id: string;
  /** What the report shows in the model column. */
  label: string;
  /**
   * The provider for one run.
   *
   * @param run - The task and repetition.
   * @returns The provider.
   */
  provider(run: VariantRunInfo): ModelProvider | Promise<ModelProvider>;
  /** Agent options for this variant (constrained decoding, temperature, protocol, ...). */
  agentOptions?: VariantAgentOptions | undefined;
  /** Releases what the variant holds (a shared provider's connections), after the eval. */
  dispose?: (() => Promise<void> | void) | undefined;
}

/** One run to make: a variant on a task, one repetition. */
export interface PlannedRun {
  /** The variant. */
  variant: EvalVariant;
  /** The task. */
  task: EvalTask;
  /** The repetition, from 1. */
  repeat: number;
  /** The score it should get (replays), if known. */
  expected?: Outcome | undefined;
}

/**
 * The key of a run in the results file: `<variant>/<task>/<repeat>`.
 *
 * @param run - The run.
 * @returns Its key.
 */
export function runKey(run: Pick<PlannedRun, "variant" | "task" | "repeat">): string {
  return `${run.variant.id}/${run.task.id}/${run.repeat}`;
}

/**
 * Makes a variant id from free text: lower case, runs of other characters as `-`.
 *
 * @param text - A label, a model name.
 * @returns An id safe in a file name.
 */
export function variantId(text: string): string {
  const id = text
    .toLowerCase()
    .replace(/[^a-z0-9._]+/g, "-")
    .replace(/^[-.]+|-+$/g, "");
  return id === "" ? "variant" : id.slice(0, 80);
}
