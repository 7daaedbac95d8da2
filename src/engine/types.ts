/**
 * Types shared by the run and generation workflows and their activities. Plain data only: workflows
 * import this file, so nothing here may touch I/O.
 */

import type { ArchiveLog, ArchiveView } from '../archive/changes';
import type { NodeScores, SplitScore } from '../archive/record';
import type { Method, SelectionRule } from '../selection/policies';

export type { Method, SelectionRule } from '../selection/policies';
export type { NodeScores, SplitScore } from '../archive/record';
export type { ArchiveLog, ArchiveView } from '../archive/changes';

/** Which nodes need a person before they may count (see `approvalReason`). */
export const APPROVAL_POLICIES = ['none', 'meta-changed', 'new-best', 'all'] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

/**
 * The kinds of work, each on its own Temporal task queue with its own worker concurrency: the
 * workflows and the record writes (orchestration), the meta agent's sessions (meta), and everything
 * that runs a program in a sandbox (evaluation). workflows/taskQueues.ts maps each activity to one.
 */
export const WORK_KINDS = ['orchestration', 'meta', 'evaluation'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];
/** The task queue of each kind of work, as the run was started with (from `temporal.queues`). */
export type TaskQueues = Record<WorkKind, string>;

export interface Budget {
  usd?: number;
  tokens?: number;
  generations: number;
  wallClockHours?: number;
}

export interface SplitSizes {
  train: number;
  val: number;
  test: number;
}

export interface RunConfig {
  method: Method;
  /** Overrides the method's selection rule; `agent` runs the program's own select_parent.mjs. */
  selection?: SelectionRule;
  domains: string[];
  seed: string;
  budget: Budget;
  parallelism: number;
  approval: ApprovalPolicy;
  continueAsNewEvery: number;
  /** Tasks per split for every domain; unset: each domain's own defaults. */
  splitSizes?: SplitSizes;
  /** Per-domain sizes, over `splitSizes`. */
  domainSplitSizes?: Record<string, SplitSizes>;
  stagedSampleSize?: number;
  /** Evaluate the best nodes on the test split at the end. */
  testAtEnd: boolean;
  start?: { run: string; node: string; reset?: 'task' | 'meta' };
  timeouts: { metaAgentSec: number; evaluationSec: number; perTaskSec: number };
  /** Tasks of a batch run at once; absent in runs recorded before it (see `evaluationConcurrency`). */
  evaluation?: { concurrency: { default?: number; perDomain?: Record<string, number> } };
  /** `replayRun`: answer LLM calls from that run's recorded calls of the same node (a rerun). */
  llm: { maxTurns: number; replayRun?: string };
}

/** What is left of the run's USD and token budgets; an absent field has no limit. */
export interface BudgetLeft {
  usd?: number;
  tokens?: number;
}

export interface PendingApproval {
  nodeId: string;
  generation: number;
  reason: string;
  /** Kept so an approved node can become the run's best without re-reading the archive. */
  score?: number;
  perDomain: Record<string, number>;
}

/** The small state the run workflow keeps (and carries across continue-as-new). */
export interface RunState {
  runId: string;
  startedAtMs: number;
  /** Set once generation 0 (the start program) is archived and evaluated. */
  startNodeId?: string;
  generationsStarted: number;
  generationsDone: number;
  bestNodeId?: string;
  bestScore?: number;
  bestPerDomain: Record<string, number>;
  spentUsd: number;
  spentTokens: number;
  budget: Budget;
  pending: PendingApproval[];
  decided: Record<string, 'approved' | 'rejected'>;
  paused: boolean;
  stopReason?: string;
  failures: number;
  /** Held-out test scores of the start node and the best, filled when the run ends. */
  test?: HeldOutReport;
  /** Which node records changed, for the workers' caches; absent in runs recorded before it. */
  archive?: ArchiveLog;
}

export interface HeldOutReport {
  startNodeId: string;
  bestNodeId: string;
  start: Record<string, number>;
  best: Record<string, number>;
  /** imp@k: mean test score of the best node after k generations minus the start node's. */
  impAtK: number;
  k: number;
  /** Set when some test answers are not the model's (calls refused or failed): imp@k is then not the model's. */
  incomplete?: string[];
}

export interface GenerationInput {
  runId: string;
  generation: number;
  config: RunConfig;
  /** What the run may still spend, so the gateway can refuse calls beyond the run's budget. */
  budgetLeft: BudgetLeft;
  /** The run's best ranking score so far, for the `new-best` approval policy. */
  bestScore?: number;
  /** Generations left under the run's current budget; absent in histories recorded before it. */
  generationsLeft?: number;
  /** The run's archive change log and the generations beside this one; absent: read every record. */
  archive?: ArchiveView;
  /** The run's task queues by kind of work; absent: every activity on the workflow's own queue. */
  queues?: TaskQueues;
}

/** What the generation workflow needs to know about a freshly stored child. */
export interface ChildDraft {
  nodeId: string;
  parentId: string | null;
  validation: { passed: boolean; reasons: string[] };
  metaChanged: boolean;
  costUsd: number;
  tokens: number;
  /** The budget refused the meta agent's LLM calls: the run stops after this generation. */
  budgetRefusal?: string;
}

/** Eligibility and ranking of an evaluated node. */
export interface NodeVerdict {
  eligible: boolean;
  reasons: string[];
  perDomain: Record<string, number>;
  /** Mean ranking score over the run's domains, when eligible. */
  score?: number;
}

/** Test-split scores by node and domain, and what the evaluation's LLM calls cost. */
export interface HeldOutScores {
  scores: Record<string, Record<string, number>>;
  costUsd: number;
  tokens: number;
  /** Test evaluations during which LLM calls were refused or failed, as `node domain/test: why`. */
  incomplete?: string[];
}

/** What one domain's evaluation of a node gave, and what its LLM calls cost. */
export interface DomainEvaluation {
  scores: NodeScores[string];
  costUsd: number;
  tokens: number;
  /** Set when the budget refused an LLM call during it: the run must stop, with this reason. */
  budgetRefusal?: string;
}

/**
 * The stages of one split's evaluation, each its own activity: the staged tasks, then, past the
 * gate, the rest of the split.
 */
export type EvaluationStage = 'staged' | 'rest';

/** One split of one domain, as the workflow sizes and gates its stage activities. */
export interface SplitPlan {
  split: 'train' | 'val';
  /** Tasks in the staged stage and in the rest of the split. */
  staged: number;
  rest: number;
  /** The rest runs only when the staged score passes this gate (`continuesToRest`). */
  gate: number;
  /** Tasks run at once in a batch (`evaluationConcurrency`). */
  concurrency: number;
}

/** Per domain of the run, its train and validation splits that have tasks, in that order. */
export type EvaluationPlan = Record<string, SplitPlan[]>;

/** What one stage activity gave, and what its LLM calls cost. */
export interface StageEvaluation {
  /** The split's score so far: staged-scaled after `staged` (unless that was the whole split), full after `rest`. */
  score: SplitScore;
  /** The staged tasks' score, which the gate compares. */
  stagedScore: number;
  costUsd: number;
  tokens: number;
  /** Set when the budget refused an LLM call during it: the run must stop, with this reason. */
  budgetRefusal?: string;
}

export interface GenerationResult {
  nodeId: string;
  generation: number;
  parentId: string | null;
  eligible: boolean;
  /** Mean ranking score over the run's domains (val where present), when the node has one everywhere. */
  score?: number;
  perDomain: Record<string, number>;
  costUsd: number;
  tokens: number;
  metaChanged: boolean;
  approval?: PendingApproval;
  note?: string;
  /** Why the run must stop now (the LLM budget refused a call while this generation ran). */
  stop?: string;
}

export interface RunStatus extends RunState {
  method: Method;
  domains: string[];
  running: number[];
}
