import type { SplitScore } from '../../archive';
import type { Split } from '../../domains';
import { stagedPlan } from '../../evaluation';
import type { GatewaySession } from '../../llm';
import { rngFromString } from '../../util/random';
import type { EngineDeps } from '../deps';
import { numericSeed, sizesFor } from '../seeds';
import { runSplit } from '../splitEvaluation';
import { afterSpending } from '../runState';
import type { BudgetLeft, DomainEvaluation, HeldOutScores, RunConfig } from '../types';

/**
 * Evaluates a node on one split of one domain (staged, or the full split) and stores the per-task
 * report; undefined when the domain has no tasks in that split.
 */
async function evaluateOn(
  deps: EngineDeps,
  at: { runId: string; nodeId: string; domain: string; split: Split; config: RunConfig; staged: boolean },
  gateway?: GatewaySession,
  signal?: AbortSignal,
): Promise<SplitScore | undefined> {
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
  const reportKey = await deps.archive.putReport(runId, nodeId, domain.name, split, report);
  return {
    score: report.score,
    basis: report.basis,
    evaluated: report.evaluated,
    total: report.total,
    reportKey,
  };
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
    for (const split of ['train', 'val'] as const) {
      const s = await evaluateOn(
        deps,
        { runId, nodeId, domain, split, config, staged: true },
        gateway,
        signal,
      );
      if (s) scores[split] = s;
    }
    const spent = gateway?.spent() ?? { usd: 0, tokens: 0 };
    return { scores, costUsd: spent.usd, tokens: spent.tokens };
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
        purpose: `test:${domain}`,
        budgetLeft: afterSpending(input.budgetLeft ?? {}, spent),
        replayRun: config.llm.replayRun,
      });
      try {
        const at = { runId, nodeId, domain, split: 'test' as const, config, staged: false };
        const test = await evaluateOn(deps, at, gateway, signal);
        if (!test) continue;
        await deps.archive.updateNode(runId, nodeId, { scores: { [domain]: { test } } });
        scores[nodeId][domain] = test.score;
      } finally {
        const cost = gateway?.spent() ?? { usd: 0, tokens: 0 };
        spent = { usd: spent.usd + cost.usd, tokens: spent.tokens + cost.tokens };
        await gateway?.close();
      }
    }
  }
  return { scores, costUsd: spent.usd, tokens: spent.tokens };
}
