import type {
  Budget,
  BudgetLeft,
  GenerationResult,
  HeldOutReport,
  HeldOutScores,
  RunConfig,
  RunState,
  SplitPlan,
} from './types';
import { newArchiveLog, noteChange, type ArchiveView } from '../archive/changes';
import { nodeIdFor } from '../archive/keys';
import { passesGate } from '../evaluation/staged';

/** The state with an archive change log: a new run, or one recorded before the log that continues as new. */
export function withArchiveLog(state: RunState, epoch: string): RunState {
  return state.archive ? state : { ...state, archive: newArchiveLog(epoch) };
}

/** What generation `generation`, starting beside `running`, is told of the archive; undefined without a log. */
export function archiveViewFor(
  state: RunState,
  generation: number,
  running: Iterable<number>,
): ArchiveView | undefined {
  if (!state.archive) return undefined;
  const inFlight = [...running].filter((g) => g !== generation).map(nodeIdFor);
  return { ...state.archive, inFlight };
}

/** The state with a change of those node records noted in its archive log (runs without a log: unchanged). */
function archiveChanged(state: RunState, nodeIds: readonly string[] | null): RunState {
  return state.archive ? { ...state, archive: noteChange(state.archive, nodeIds) } : state;
}

/**
 * Whether a split's evaluation goes on to the rest of its tasks after the staged ones: there is a
 * rest and the staged score passes the domain's gate (the workflow decides, between two activities).
 */
export function continuesToRest(plan: Pick<SplitPlan, 'rest' | 'gate'>, stagedScore: number): boolean {
  return plan.rest > 0 && passesGate(stagedScore, plan.gate);
}

export function initialState(runId: string, config: RunConfig, nowMs: number): RunState {
  return {
    runId,
    startedAtMs: nowMs,
    generationsStarted: 0,
    generationsDone: 0,
    bestPerDomain: {},
    spentUsd: 0,
    spentTokens: 0,
    budget: { ...config.budget },
    pending: [],
    decided: {},
    paused: false,
    failures: 0,
  };
}

/** Folds a finished generation into the run state. A node waiting for approval cannot become best. */
export function recordGeneration(state: RunState, r: GenerationResult): RunState {
  // The generation wrote its node, and bars its parent when the parent's meta agent failed.
  const next: RunState = {
    ...archiveChanged(state, r.parentId === null ? [r.nodeId] : [r.nodeId, r.parentId]),
    generationsDone: state.generationsDone + 1,
    spentUsd: state.spentUsd + r.costUsd,
    spentTokens: state.spentTokens + r.tokens,
    pending: r.approval ? [...state.pending, r.approval] : state.pending,
    stopReason: state.stopReason ?? r.stop,
  };
  if (!r.approval) return considerBest(next, r);
  return next;
}

export function considerBest(
  state: RunState,
  r: Pick<GenerationResult, 'nodeId' | 'eligible' | 'score' | 'perDomain'>,
): RunState {
  if (!r.eligible || r.score === undefined) return state;
  if (state.bestScore !== undefined && r.score <= state.bestScore) return state;
  return { ...state, bestNodeId: r.nodeId, bestScore: r.score, bestPerDomain: { ...r.perDomain } };
}

/** Why the run must stop now, or undefined. Generations in flight count against the generation budget. */
export function stopReason(state: RunState, nowMs: number): string | undefined {
  const b: Budget = state.budget;
  if (state.generationsDone >= b.generations) return `generation budget reached (${b.generations})`;
  if (b.usd !== undefined && state.spentUsd >= b.usd)
    return `USD budget reached ($${state.spentUsd.toFixed(4)} of $${b.usd})`;
  if (b.tokens !== undefined && state.spentTokens >= b.tokens)
    return `token budget reached (${state.spentTokens} of ${b.tokens})`;
  if (b.wallClockHours !== undefined && nowMs - state.startedAtMs >= b.wallClockHours * 3_600_000) {
    return `wall-clock budget reached (${b.wallClockHours} h)`;
  }
  return undefined;
}

/** What the run may still spend. */
export function budgetLeft(state: RunState): BudgetLeft {
  return afterSpending(
    { usd: state.budget.usd, tokens: state.budget.tokens },
    {
      usd: state.spentUsd,
      tokens: state.spentTokens,
    },
  );
}

/** Folds a generation that failed into the state: a failure, and what its calls cost (call logs). */
export function recordFailedGeneration(
  state: RunState,
  spent: { costUsd: number; tokens: number } | undefined,
): RunState {
  return {
    // What a failed generation wrote before it failed is not known here.
    ...archiveChanged(state, null),
    generationsDone: state.generationsDone + 1,
    failures: state.failures + 1,
    spentUsd: state.spentUsd + (spent?.costUsd ?? 0),
    spentTokens: state.spentTokens + (spent?.tokens ?? 0),
  };
}

/**
 * What a generation starting now may spend: what the run has neither spent nor reserved for the
 * generations in flight, split evenly over the parallel slots still free. So p parallel generations
 * together never hold more than the run has left (each session's ledger is bounded by its share).
 */
export function generationAllowance(
  state: RunState,
  reserved: readonly BudgetLeft[],
  parallelism: number,
): BudgetLeft {
  const held = (kind: 'usd' | 'tokens') => reserved.reduce((sum, r) => sum + (r[kind] ?? 0), 0);
  const free = afterSpending(budgetLeft(state), { usd: held('usd'), tokens: held('tokens') });
  return splitBudget(free, parallelism - reserved.length);
}

/**
 * `left` in `parts` even shares (at least one; none below zero; whole tokens), so holders spending
 * at once within their shares together never exceed it; an absent limit stays absent.
 */
export function splitBudget(left: BudgetLeft, parts: number): BudgetLeft {
  const n = Math.max(1, parts);
  const share = (limit: number | undefined, whole: boolean): number | undefined => {
    if (limit === undefined) return undefined;
    const each = Math.max(0, limit) / n;
    return whole ? Math.floor(each) : each;
  };
  const usd = share(left.usd, false);
  const tokens = share(left.tokens, true);
  return { ...(usd !== undefined ? { usd } : {}), ...(tokens !== undefined ? { tokens } : {}) };
}

/** `left` less what was spent since; an absent limit stays absent. */
export function afterSpending(left: BudgetLeft, spent: { usd: number; tokens: number }): BudgetLeft {
  return {
    ...(left.usd !== undefined ? { usd: left.usd - spent.usd } : {}),
    ...(left.tokens !== undefined ? { tokens: left.tokens - spent.tokens } : {}),
  };
}

export function canStartGeneration(state: RunState, running: number, parallelism: number): boolean {
  return (
    !state.paused &&
    state.stopReason === undefined &&
    running < parallelism &&
    state.generationsStarted < state.budget.generations
  );
}

/** Checks an approve/reject request against the state; returns an error message or undefined. */
export function decisionProblem(state: RunState, nodeId: string): string | undefined {
  if (typeof nodeId !== 'string' || nodeId.length === 0) return 'a node id is required';
  const decided = state.decided[nodeId];
  if (decided) return `node ${nodeId} was already ${decided}`;
  if (!state.pending.some((p) => p.nodeId === nodeId)) {
    const waiting = state.pending.map((p) => p.nodeId).join(', ') || 'none';
    return `node ${nodeId} is not waiting for approval in run ${state.runId} (pending: ${waiting})`;
  }
  return undefined;
}

export function applyDecision(state: RunState, nodeId: string, decision: 'approved' | 'rejected'): RunState {
  const waiting = state.pending.find((p) => p.nodeId === nodeId);
  const next: RunState = {
    ...archiveChanged(state, [nodeId]),
    pending: state.pending.filter((p) => p.nodeId !== nodeId),
    decided: { ...state.decided, [nodeId]: decision },
  };
  if (decision === 'rejected' || !waiting) return next;
  return considerBest(next, { nodeId, eligible: true, score: waiting.score, perDomain: waiting.perDomain });
}

export interface BudgetChange {
  usd?: number;
  tokens?: number;
  generations?: number;
  wallClockHours?: number;
}

export function budgetProblem(change: BudgetChange, state: RunState): string | undefined {
  const keys = Object.keys(change ?? {});
  const allowed = ['usd', 'tokens', 'generations', 'wallClockHours'];
  const unknown = keys.filter((k) => !allowed.includes(k));
  if (unknown.length)
    return `unknown budget field(s): ${unknown.join(', ')} (allowed: ${allowed.join(', ')})`;
  if (keys.length === 0) return 'no budget field given';
  for (const [k, v] of Object.entries(change)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      return `budget.${k} must be a positive number, got ${String(v)}`;
  }
  if (
    change.generations !== undefined &&
    (!Number.isInteger(change.generations) || change.generations < state.generationsStarted)
  ) {
    return `budget.generations must be an integer >= ${state.generationsStarted} (generations already started)`;
  }
  return undefined;
}

/** Which nodes need a person before they may count, by the run's approval policy. */
export function approvalReason(
  policy: RunConfig['approval'],
  child: { metaChanged: boolean; eligible: boolean; score?: number },
  bestScore: number | undefined,
): string | undefined {
  if (!child.eligible || policy === 'none') return undefined;
  if (policy === 'all') return 'every eligible node needs approval';
  if (policy === 'meta-changed' && child.metaChanged) return 'the meta agent changed';
  if (
    policy === 'new-best' &&
    child.score !== undefined &&
    (bestScore === undefined || child.score > bestScore)
  ) {
    return 'new best score';
  }
  return undefined;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * What `evaluateTestSplit` returned: scores with their LLM cost; in histories recorded before it
 * carried the cost, the bare scores by node; before it returned anything, undefined. All replay.
 */
export type HeldOutResult = HeldOutScores | Record<string, Record<string, number>> | undefined;

function isHeldOutScores(result: HeldOutResult): result is HeldOutScores {
  return result !== undefined && typeof result.costUsd === 'number' && typeof result.scores === 'object';
}

/** Folds the held-out test evaluation into the state: the report (imp@k) and what its calls cost. */
export function recordHeldOut(
  state: RunState,
  startNodeId: string,
  bestNodeId: string,
  result: HeldOutResult,
): RunState {
  const held = isHeldOutScores(result)
    ? result
    : { scores: result, costUsd: 0, tokens: 0, incomplete: undefined };
  const report = heldOutReport(startNodeId, bestNodeId, held.scores, state.generationsDone);
  return {
    ...archiveChanged(state, [startNodeId, bestNodeId]),
    spentUsd: state.spentUsd + held.costUsd,
    spentTokens: state.spentTokens + held.tokens,
    test: held.incomplete?.length ? { ...report, incomplete: held.incomplete } : report,
  };
}

/** The end-of-run test comparison; for a transfer run it is the paper's imp@k. */
function heldOutReport(
  startNodeId: string,
  bestNodeId: string,
  scores: Record<string, Record<string, number>> | undefined,
  k: number,
): HeldOutReport {
  const start = scores?.[startNodeId] ?? {};
  const best = scores?.[bestNodeId] ?? {};
  return {
    startNodeId,
    bestNodeId,
    start,
    best,
    impAtK: mean(Object.values(best)) - mean(Object.values(start)),
    k,
  };
}
