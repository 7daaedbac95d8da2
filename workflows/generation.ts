import { patched, proxyActivities } from '@temporalio/workflow';
import type { EngineActivities } from '../activities/engine';
import { afterSpending, approvalReason } from '../src/engine/runState';
import type { GenerationInput, GenerationResult, NodeScores } from '../src/engine/types';
import { evaluationOptions, metaAgentOptions, recordOptions, shortSandboxOptions } from './activityOptions';
import { RUN_WIDE_BUDGET_PATCH } from './patches';

/**
 * One DGM-H generation: select a parent, let its meta agent rewrite a copy, evaluate the child per
 * domain (staged), apply the approval policy, and archive. Generation 0 archives the start program.
 */
export async function generationWorkflow(input: GenerationInput): Promise<GenerationResult> {
  const { runId, generation, config } = input;
  const records = proxyActivities<EngineActivities>(recordOptions);
  const short = proxyActivities<EngineActivities>(shortSandboxOptions);
  const meta = proxyActivities<EngineActivities>(metaAgentOptions(config));
  const evaluation = proxyActivities<EngineActivities>(evaluationOptions(config));

  const draft =
    generation === 0
      ? await short.createStartNode({ runId, config })
      : await meta.selfModify({
          runId,
          generation,
          config,
          parentId: await short.selectParent({ runId, generation, config }),
          budgetLeft: input.budgetLeft,
          generationsLeft: input.generationsLeft ?? config.budget.generations - generation,
        });

  const scores: Record<string, NodeScores[string]> = {};
  let spent = { usd: draft.costUsd, tokens: draft.tokens };
  // A meta agent the budget cut short: the run stops; its child is not evaluated (that would be refused too).
  const metaRefusal = draft.budgetRefusal;
  let budgetRefusal: string | undefined;
  if (draft.validation.passed && metaRefusal === undefined) {
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
