import { patched } from '@temporalio/workflow';
import { afterSpending, approvalReason, continuesToRest } from '../src/engine/runState';
import type {
  BudgetLeft,
  GenerationInput,
  GenerationResult,
  NodeScores,
  RunConfig,
  TaskQueues,
} from '../src/engine/types';
import {
  evaluationOptions,
  metaAgentOptions,
  recordOptions,
  shortSandboxOptions,
  stageOptions,
} from './activityOptions';
import { RUN_WIDE_BUDGET_PATCH, STAGE_ACTIVITIES_PATCH } from './patches';
import { routedActivities } from './taskQueues';

interface Evaluated {
  scores: Record<string, NodeScores[string]>;
  spent: { usd: number; tokens: number };
  budgetRefusal?: string;
}

/**
 * A child's evaluation, one activity per domain, split and stage: staged train, then (past the gate)
 * the rest of train, then the same for validation. Each stage's time limit follows its task count,
 * so one slow domain cannot exhaust a limit meant for all of them.
 */
async function evaluateByStage(
  at: { runId: string; nodeId: string; config: RunConfig },
  budgetLeft: BudgetLeft,
  spentBefore: { usd: number; tokens: number },
  queues: TaskQueues | undefined,
): Promise<Evaluated> {
  const { config } = at;
  const plan = await routedActivities(shortSandboxOptions, queues).planEvaluation({
    runId: at.runId,
    config,
  });
  const scores: Evaluated['scores'] = {};
  let spent = spentBefore;
  let budgetRefusal: string | undefined;
  for (const domain of config.domains) {
    const splits: Partial<Record<'train' | 'val', NodeScores[string]['train']>> = {};
    for (const split of plan[domain] ?? []) {
      const stage = async (name: 'staged' | 'rest', tasks: number) => {
        const act = routedActivities(stageOptions(config, tasks, split.concurrency), queues);
        const left = afterSpending(budgetLeft, spent);
        const r = await act.evaluateStage({
          ...at,
          domain,
          split: split.split,
          stage: name,
          budgetLeft: left,
        });
        spent = { usd: spent.usd + r.costUsd, tokens: spent.tokens + r.tokens };
        budgetRefusal ??= r.budgetRefusal;
        return r;
      };
      const staged = await stage('staged', split.staged);
      splits[split.split] = continuesToRest(split, staged.stagedScore)
        ? (await stage('rest', split.rest)).score
        : staged.score;
    }
    scores[domain] = splits;
  }
  return { scores, spent, ...(budgetRefusal !== undefined ? { budgetRefusal } : {}) };
}

/**
 * One DGM-H generation: select a parent, let its meta agent rewrite a copy, evaluate the child per
 * domain (staged), apply the approval policy, and archive. Generation 0 archives the start program.
 */
export async function generationWorkflow(input: GenerationInput): Promise<GenerationResult> {
  const { runId, generation, config, queues } = input;
  const records = routedActivities(recordOptions, queues);
  const short = routedActivities(shortSandboxOptions, queues);
  const meta = routedActivities(metaAgentOptions(config), queues);
  const evaluation = routedActivities(evaluationOptions(config), queues);

  const draft =
    generation === 0
      ? await short.createStartNode({ runId, config })
      : await meta.selfModify({
          runId,
          generation,
          config,
          parentId: await short.selectParent({ runId, generation, config, archive: input.archive }),
          archive: input.archive,
          budgetLeft: input.budgetLeft,
          generationsLeft: input.generationsLeft ?? config.budget.generations - generation,
        });

  const scores: Record<string, NodeScores[string]> = {};
  let spent = { usd: draft.costUsd, tokens: draft.tokens };
  // A meta agent the budget cut short: the run stops; its child is not evaluated (that would be refused too).
  const metaRefusal = draft.budgetRefusal;
  let budgetRefusal: string | undefined;
  if (draft.validation.passed && metaRefusal === undefined && patched(STAGE_ACTIVITIES_PATCH)) {
    const r = await evaluateByStage({ runId, nodeId: draft.nodeId, config }, input.budgetLeft, spent, queues);
    Object.assign(scores, r.scores);
    spent = r.spent;
    budgetRefusal = r.budgetRefusal;
  } else if (draft.validation.passed && metaRefusal === undefined) {
    for (const domain of config.domains) {
      const budgetLeft = afterSpending(input.budgetLeft, spent);
      const r = await evaluation.evaluateNode({ runId, nodeId: draft.nodeId, domain, config, budgetLeft });
      scores[domain] = r.scores;
      spent = { usd: spent.usd + r.costUsd, tokens: spent.tokens + r.tokens };
      budgetRefusal ??= r.budgetRefusal;
    }
  }
  if (patched(RUN_WIDE_BUDGET_PATCH)) {
    // The call logs also hold what retried attempts spent, which no activity result reports.
    const logged = await records.recordedSpend({ runId, nodeId: draft.nodeId, scope: 'generation' });
    spent = { usd: Math.max(spent.usd, logged.costUsd), tokens: Math.max(spent.tokens, logged.tokens) };
  }
  const verdict = await records.scoreNode({ runId, nodeId: draft.nodeId, scores, config });
  const reason =
    generation === 0 ? undefined : approvalReason(config.approval, { ...draft, ...verdict }, input.bestScore);
  await records.finalizeNode({ runId, nodeId: draft.nodeId, scores, pendingApproval: reason !== undefined });
  return {
    nodeId: draft.nodeId,
    generation,
    parentId: draft.parentId,
    eligible: verdict.eligible,
    score: verdict.score,
    perDomain: verdict.perDomain,
    costUsd: spent.usd,
    tokens: spent.tokens,
    metaChanged: draft.metaChanged,
    approval: reason
      ? { nodeId: draft.nodeId, generation, reason, score: verdict.score, perDomain: verdict.perDomain }
      : undefined,
    note: verdict.eligible ? undefined : verdict.reasons.join('; '),
    ...(metaRefusal
      ? { stop: `LLM budget exhausted during self-modification of ${draft.nodeId}: ${metaRefusal}` }
      : budgetRefusal
        ? { stop: `LLM budget exhausted during evaluation of ${draft.nodeId}: ${budgetRefusal}` }
        : {}),
  };
}
