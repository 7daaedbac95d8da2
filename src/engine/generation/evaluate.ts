import type { SplitScore } from '../../archive';
import type { Split } from '../../domains';
import { stagedPlan } from '../../evaluation';
import type { CallTally, GatewaySession } from '../../llm';
import { rngFromString } from '../../util/random';
import type { EngineDeps } from '../deps';
import { numericSeed, sizesFor } from '../seeds';
import { runSplit } from '../splitEvaluation';
import { afterSpending } from '../runState';
import type { BudgetLeft, DomainEvaluation, HeldOutScores, RunConfig } from '../types';

/** A split evaluation and whether the budget refused a call during it (the run must then stop). */
interface SplitOutcome {
  score: SplitScore;
  budgetRefusal?: string;
}

/**
 * Why an evaluation does not count, from the gateway's host-side tally of the calls made during it:
 * a refused or failed call means some answers are not the model's.
 */
function incompleteness(before: CallTally | undefined, after: CallTally | undefined): string | undefined {
  if (!before || !after) return undefined;
  const refused = after.byOutcome.refused - before.byOutcome.refused;
  const failed = after.byOutcome.error - before.byOutcome.error;
  if (refused > 0) return `${refused} LLM call(s) refused: ${after.firstRefusal ?? 'budget'}`;
  if (failed > 0) return `${failed} LLM call(s) failed: ${after.firstError ?? 'upstream error'}`;
  return undefined;
}

/**
 * Evaluates a node on one split of one domain (staged, or the full split) and stores the per-task
 * report; undefined when the domain has no tasks in that split. A split during which the gateway
 * refused or failed calls is marked incomplete.
 */
async function evaluateOn(
  deps: EngineDeps,
  at: { runId: string; nodeId: string; domain: string; split: Split; config: RunConfig; staged: boolean },
  gateway?: GatewaySession,
  signal?: AbortSignal,
): Promise<SplitOutcome | undefined> {
  const { runId, nodeId, split, config } = at;
  const domain = deps.domains.domain(at.domain);
  const loaded = await deps.domains.tasks(domain, numericSeed(config.seed), sizesFor(config, domain.name));
  const tasks = loaded.splits[split];
  if (tasks.length === 0) return undefined;
  const node = await deps.archive.requireNode(runId, nodeId);
  const program = await deps.archive.getProgram(node.snapshotKey);
  const sampleSize = config.stagedSampleSize ?? domain.staged.sampleSize;
  // The same staged tasks for every node of the run, so staged scores compare like with like.
  const plan = at.staged
    ? new Set(
        stagedPlan(
          tasks.map((t) => t.id),
          sampleSize,
          rngFromString(`${config.seed}/staged/${domain.name}/${split}`),
        ),
      )
    : undefined;
  const staged = plan ? tasks.filter((t) => plan.has(t.id)) : [...tasks];
  const before = gateway?.calls();
  const report = await runSplit(deps, {
    program,
    domain,
    tasks,
    labels: loaded.labels,
    staged,
    gate: domain.staged.gate,
    perTaskSec: config.timeouts.perTaskSec,
    maxBatchSec: config.timeouts.evaluationSec,
    sessionLabels: { run: runId, node: nodeId },
    gateway,
    signal,
  });
  const after = gateway?.calls();
  const incomplete = incompleteness(before, after);
  const reportKey = await deps.archive.putReport(runId, nodeId, domain.name, split, {
    ...report,
    incomplete,
  });
  const score: SplitScore = {
    score: report.score,
    basis: report.basis,
    evaluated: report.evaluated,
    total: report.total,
    reportKey,
    answers: report.answers,
    ...(incomplete !== undefined ? { incomplete } : {}),
  };
  const refused = (after?.byOutcome.refused ?? 0) > (before?.byOutcome.refused ?? 0);
  return refused
    ? { score, budgetRefusal: after?.firstRefusal ?? 'the LLM budget refused a call' }
    : { score };
}

/** Staged evaluation of a node on one domain's train and validation splits, and what its LLM calls cost. */
export async function evaluateNode(
  deps: EngineDeps,
  input: { runId: string; nodeId: string; domain: string; config: RunConfig; budgetLeft?: BudgetLeft },
  signal?: AbortSignal,
): Promise<DomainEvaluation> {
  const { runId, nodeId, domain, config } = input;
  const gateway = await deps.openLlmSession({
    runId,
    nodeId,
    purpose: `evaluate:${domain}`,
    budgetLeft: input.budgetLeft ?? {},
    replayRun: config.llm.replayRun,
  });
  try {
    const scores: DomainEvaluation['scores'] = {};
    let budgetRefusal: string | undefined;
    for (const split of ['train', 'val'] as const) {
      const s = await evaluateOn(
        deps,
        { runId, nodeId, domain, split, config, staged: true },
        gateway,
        signal,
      );
      if (!s) continue;
      scores[split] = s.score;
      budgetRefusal ??= s.budgetRefusal;
    }
    const spent = gateway?.spent() ?? { usd: 0, tokens: 0 };
    return { scores, costUsd: spent.usd, tokens: spent.tokens, ...(budgetRefusal ? { budgetRefusal } : {}) };
  } finally {
    await gateway?.close();
  }
}

/**
 * Held-out test evaluation (full split) of the given nodes, e.g. the start node and the best, with
 * the LLM gateway as every other evaluation has it (metered against what the run has left); stores
 * each score in its node and returns them by node and domain, with what the calls cost.
 */
export async function evaluateTestSplit(
  deps: EngineDeps,
  input: { runId: string; nodeIds: string[]; config: RunConfig; budgetLeft?: BudgetLeft },
  signal?: AbortSignal,
): Promise<HeldOutScores> {
  const { runId, config } = input;
  const scores: HeldOutScores['scores'] = {};
  let spent = { usd: 0, tokens: 0 };
  for (const nodeId of input.nodeIds) {
    scores[nodeId] = {};
    for (const domain of config.domains) {
      const gateway = await deps.openLlmSession({
        runId,
        nodeId,
        purpose: `test:${domain}`, // counted apart from the generation's calls (src/engine/spend.ts)
        budgetLeft: afterSpending(input.budgetLeft ?? {}, spent),
        replayRun: config.llm.replayRun,
      });
      try {
        const at = { runId, nodeId, domain, split: 'test' as const, config, staged: false };
        const test = await evaluateOn(deps, at, gateway, signal);
        if (!test) continue;
        await deps.archive.updateNode(runId, nodeId, { scores: { [domain]: { test: test.score } } });
        scores[nodeId][domain] = test.score.score;
      } finally {
        const cost = gateway?.spent() ?? { usd: 0, tokens: 0 };
        spent = { usd: spent.usd + cost.usd, tokens: spent.tokens + cost.tokens };
        await gateway?.close();
      }
    }
  }
  return { scores, costUsd: spent.usd, tokens: spent.tokens };
}
