import { ContextManager } from "../context/context-manager.js";
import type { ChatMessage } from "../provider/provider.js";
import { DEFAULT_CONTEXT_WINDOW, maxResultCharsFor, promptBudget } from "./agent-settings.js";
import type { ProtocolPlan } from "./protocol-plan.js";
import { RepeatGuard } from "./repeat-guard.js";
import { replyCap } from "./reply-cap.js";
import { repoMapBudget, taskWithRepoMap } from "./repo-map-prompt.js";
import { openingMessages, type ResumeState, reportResume } from "./resume-state.js";
import type { Run, RunFrame } from "./run-context.js";
import { throwIfAborted } from "./run-signal.js";
import { runSummarizer } from "./summarize-call.js";
import { buildSystemPrompt } from "./system-prompt.js";
import { TurnRetry } from "./turn-retry.js";

/** What setting up a run needs from the agent. */
export interface RunSetup {
  /** The rulebook text (loaded once per agent). */
  rules(): Promise<string | undefined>;
  /** Warnings from loading the rulebook not yet reported (taken, so each is reported once). */
  takeRulebookWarnings(): string[];
  /** How calls are constrained with this provider. */
  plan(): ProtocolPlan;
  /** The resumed session, if any. */
  resume: ResumeState | undefined;
}

/**
 * Sets a run up: reports what a resume worked around, loads the rules, sizes the context
 * window, builds the system prompt and the opening conversation, and records the run's
 * start with the settings it uses.
 *
 * @param frame - The started run.
 * @param setup - What the agent provides.
 * @returns The run, ready for its first turn.
 */
export async function startRun(frame: RunFrame, setup: RunSetup): Promise<Run> {
  const { journal, signal, provider, options, settings } = frame;
  const { resume } = setup;
  if (resume) await reportResume(resume, journal);
  throwIfAborted(signal);
  const rules = await setup.rules();
  const cap = replyCap(settings.maxOutputTokens, options.maxReplyChars);
  const window =
    options.contextWindow ??
    (await provider.contextWindow?.({ signal }).catch(() => undefined)) ??
    DEFAULT_CONTEXT_WINDOW;
  const budget = promptBudget(window, settings.maxOutputTokens);
  const maxResultChars = maxResultCharsFor(budget, options.maxResultChars);
  const context = contextManager(frame, budget);
  for (const message of setup.takeRulebookWarnings()) await journal.warning("rulebook", message);
  const plan = setup.plan();
  if (plan.warning) await journal.warning("constrained-decoding", plan.warning);
  throwIfAborted(signal);
  const systemPrompt: ChatMessage = {
    role: "system",
    content: buildSystemPrompt({
      tools: [...frame.tools.values()],
      rules,
      instructions: options.instructions,
      protocol: plan.protocol,
    }),
  };
  // A resumed session keeps the opening it had; a new run gets the map before its task.
  const opening = resume
    ? frame.task
    : await taskWithRepoMap(
        frame.task,
        options.repoMap,
        options.repoMapTokens ?? repoMapBudget(window),
        signal,
        (kind, message) => journal.warning(kind, message),
      );
  frame.messages.push(...openingMessages(opening, systemPrompt, resume));
  await recordRunStart(frame, resume, { window, maxResultChars });
  return Object.assign(frame, {
    context,
    summarize: runSummarizer(frame, cap.maxChars),
    plan,
    cap,
    maxResultChars,
    turnRetry: new TurnRetry(options.turnRetry),
    repeats: new RepeatGuard(),
    invalidInARow: 0,
    stopOff: false,
    restarting: false,
  });
}

/** The context manager for a budget; it counts exactly when the provider can. */
function contextManager(frame: RunFrame, budget: number): ContextManager {
  const { provider, signal, options } = frame;
  const exact = provider.capabilities?.exactTokenCount === true && provider.countTokens;
  return new ContextManager({
    budget,
    ...(exact ? { count: (text: string) => exact.call(provider, text, { signal }) } : {}),
    ...(options.keepRecentMessages === undefined ? {} : { keepRecent: options.keepRecentMessages }),
  });
}

/** Records the run's start: what it continues, and the settings a resume or replay needs. */
async function recordRunStart(
  frame: RunFrame,
  resume: ResumeState | undefined,
  sizes: { window: number; maxResultChars: number },
): Promise<void> {
  const { provider, options, settings } = frame;
  const resumeOf = resume?.snapshot.runs.at(-1)?.runId;
  await frame.journal.record({
    type: "run-start",
    runId: frame.runId,
    task: frame.task,
    ...(resumeOf === undefined ? {} : { resumeOf }),
    ...(resume?.message === undefined ? {} : { message: resume.message }),
    firstStep: frame.firstStep,
    provider: provider.id,
    ...(provider.model === undefined ? {} : { model: provider.model }),
    tools: [...frame.toolNames],
    settings: {
      maxSteps: settings.maxSteps,
      maxOutputTokens: settings.maxOutputTokens,
      contextWindow: sizes.window,
      maxResultChars: sizes.maxResultChars,
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    },
  });
}
