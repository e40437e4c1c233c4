import type { ScriptedReply } from "@gemma-coder/core/testing";
import type { APPROVAL_POLICIES, OUTCOMES } from "./suite-schema.js";

/** The score of a run: every required check passed, the partial ones did, or neither. */
export type Outcome = (typeof OUTCOMES)[number];

/**
 * What the agent may do in a suite's runs: `allow-all` (every tool runs, as with `--yes`),
 * `no-shell` (files may change, `run_shell` is refused) or `read-only` (only the tools that
 * read are offered).
 */
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

/** One check of a task: a shell command run in the workspace after the agent. */
export interface EvalCheck {
  /** What it checks, for the report. */
  name: string;
  /** The command line; exit code 0 passes. */
  run: string;
  /** Whether a pass needs it (default `true`). */
  required: boolean;
  /** Whether it counts for a partial score (default `false`). */
  partial: boolean;
  /** Its time limit in milliseconds; past it the command's process group is killed. */
  timeoutMs: number;
}

/** Where a task's workspace comes from. */
export type EvalFixture =
  | {
      /** A folder copied afresh for every run. */
      kind: "folder";
      /** Its absolute path. */
      path: string;
    }
  | {
      /** A git repository checked out at a commit for every run. */
      kind: "git";
      /** Its URL or path, as given to `git clone`. */
      repository: string;
      /** The commit the agent starts from. */
      commit: string;
    };

/** Files laid over the workspace after the agent and before the checks (hidden tests). */
export type EvalOverlay =
  | {
      /** A folder of the task whose files replace the workspace's. */
      kind: "folder";
      /** Its absolute path. */
      path: string;
    }
  | {
      /** Paths taken from another commit of the task's git repository. */
      kind: "commit";
      /** The commit (usually the fix's). */
      commit: string;
      /** The paths, relative to the repository root. */
      paths: readonly string[];
    };

/** A recorded or scripted model for a task, and the score it should get. */
export interface EvalRecording {
  /** Its name (the file name without `.json`). */
  name: string;
  /** The recording file. */
  file: string;
  /** The score the replay must get. */
  expect: Outcome;
  /** What the recording shows. */
  description: string | undefined;
  /** Scripted replies, in order (or `undefined` for a transcript). */
  replies: readonly ScriptedReply[] | undefined;
  /** A JSONL transcript to replay (absolute path), as kept by an earlier eval run. */
  transcript: string | undefined;
}

/** One task of a suite, validated, with every default filled in. */
export interface EvalTask {
  /** Its id, unique in the suite. */
  id: string;
  /** A short title for the report. */
  title: string | undefined;
  /** The language of its code (`python`, `typescript`). */
  language: string | undefined;
  /** Its kind (`fix-failing-test`, `docstrings`, ...). */
  kind: string | undefined;
  /** The task folder. */
  dir: string;
  /** The `task.json` file. */
  file: string;
  /** What the agent is asked to do. */
  prompt: string;
  /** Where the workspace comes from. */
  fixture: EvalFixture;
  /** Files laid over the workspace before the checks. */
  overlay: EvalOverlay | undefined;
  /** The checks, in order. */
  checks: readonly EvalCheck[];
  /** The most model turns. */
  maxSteps: number;
  /** The agent's wall-clock limit in milliseconds. */
  timeoutMs: number;
  /** Links to where the task comes from (an issue, a fix). */
  links: readonly string[];
  /** Its recordings (`replays/*.json`), sorted by name. */
  recordings: readonly EvalRecording[];
}

/** A suite: a folder with a `suite.json` manifest and its tasks. */
export interface EvalSuite {
  /** Its name. */
  name: string;
  /** What it measures. */
  description: string | undefined;
  /** The suite folder. */
  dir: string;
  /** The manifest. */
  file: string;
  /** What the agent may do. */
  approvals: ApprovalPolicy;
  /** Commands that must succeed before any run. */
  requires: readonly string[];
  /** The tasks, in the manifest's order (else sorted by folder). */
  tasks: readonly EvalTask[];
}
