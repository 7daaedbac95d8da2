/**
 * Types shared by the run and generation workflows and their activities. Plain data only: workflows
 * import this file, so nothing here may touch I/O.
 */

export type Method = 'dgm-h' | 'no-self-improve' | 'no-open-ended' | 'dgm';
export type SelectionPolicyName =
  'score_child_prop' | 'score_prop' | 'best' | 'latest' | 'random' | 'dgm' | 'agent';
export type ApprovalPolicy = 'none' | 'meta-changed' | 'new-best' | 'all';

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
  selection?: SelectionPolicyName;
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
  /** `replayRun`: answer LLM calls from that run's recorded calls of the same node (a rerun). */
  llm: { maxTurns: number; replayRun?: string };
}

export interface SplitScore {
  score: number;
  basis: 'full' | 'staged-scaled';
  evaluated: number;
  total: number;
}

export type DomainScores = Record<string, { train?: SplitScore; val?: SplitScore; test?: SplitScore }>;

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
}

export interface HeldOutReport {
  startNodeId: string;
  bestNodeId: string;
  start: Record<string, number>;
  best: Record<string, number>;
  /** imp@k: mean test score of the best node after k generations minus the start node's. */
  impAtK: number;
  k: number;
}

export interface GenerationInput {
  runId: string;
  generation: number;
  config: RunConfig;
  /** Spend so far, so the gateway can refuse calls beyond the run's budget. */
  budgetLeft: { usd?: number; tokens?: number };
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
}

export interface RunStatus extends RunState {
  method: Method;
  domains: string[];
  running: number[];
}
