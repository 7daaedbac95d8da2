import { proxyActivities } from '@temporalio/workflow';
import type { EngineActivities } from '../activities/engine';
import { approvalReason } from '../src/engine/runState';
import type { DomainScores, GenerationInput, GenerationResult } from '../src/engine/types';

/**
 * One DGM-H generation: select a parent, let its meta agent rewrite a copy, evaluate the child per
 * domain (staged), apply the approval policy, and archive. Generation 0 archives the start program.
 */
export async function generationWorkflow(
  input: GenerationInput & { bestScore?: number },
): Promise<GenerationResult> {
  const { config } = input;
  const quick = proxyActivities<EngineActivities>({
    startToCloseTimeout: '2 minutes',
    retry: {
      maximumAttempts: 5,
      nonRetryableErrorTypes: ['RunConfigError', 'SelectionError', 'ConfigError'],
    },
  });
  const meta = proxyActivities<EngineActivities>({
    startToCloseTimeout: `${config.timeouts.metaAgentSec + 120} seconds`,
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
  });
  const evaluation = proxyActivities<EngineActivities>({
    startToCloseTimeout: `${config.timeouts.evaluationSec} seconds`,
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
  });

  const draft =
    input.generation === 0
      ? await quick.createStartNode({ runId: input.runId, config })
      : await meta.selfModify({
          runId: input.runId,
          generation: input.generation,
          config,
          parentId: await quick.selectParent({ runId: input.runId, generation: input.generation, config }),
          budgetLeft: input.budgetLeft,
        });

  const scores: DomainScores = {};
  let costUsd = draft.costUsd;
  let tokens = draft.tokens;
  if (draft.validation.passed) {
    for (const domain of config.domains) {
      const budgetLeft = {
        usd: input.budgetLeft.usd !== undefined ? input.budgetLeft.usd - costUsd : undefined,
        tokens: input.budgetLeft.tokens !== undefined ? input.budgetLeft.tokens - tokens : undefined,
      };
      const r = await evaluation.evaluateNode({
        runId: input.runId,
        nodeId: draft.nodeId,
        domain,
        config,
        budgetLeft,
      });
      scores[domain] = r.scores;
      costUsd += r.costUsd;
      tokens += r.tokens;
    }
  }
  const summary = await quick.scoreNode({ runId: input.runId, nodeId: draft.nodeId, scores, config });
  const reason =
    input.generation === 0
      ? undefined
      : approvalReason(config.approval, { ...draft, ...summary }, input.bestScore);
  await quick.finalizeNode({
    runId: input.runId,
    nodeId: draft.nodeId,
    scores,
    pendingApproval: reason !== undefined,
  });
  return {
    nodeId: draft.nodeId,
    generation: input.generation,
    parentId: draft.parentId,
    eligible: summary.eligible,
    score: summary.score,
    perDomain: summary.perDomain,
    costUsd,
    tokens,
    metaChanged: draft.metaChanged,
    approval: reason
      ? {
          nodeId: draft.nodeId,
          generation: input.generation,
          reason,
          score: summary.score,
          perDomain: summary.perDomain,
        }
      : undefined,
    note: summary.eligible ? undefined : summary.reasons.join('; '),
  };
}
