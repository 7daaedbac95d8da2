import { domainScoresOf, incompleteEvaluationsOf } from '../../archive';
import { eligibility, meanRankingScore, rankingScore } from '../../evaluation';
import type { EngineDeps } from '../deps';
import type { NodeScores, NodeVerdict, RunConfig } from '../types';

/** Eligibility and the ranking score of a node from its evaluation. */
export async function scoreNode(
  deps: EngineDeps,
  input: { runId: string; nodeId: string; scores: NodeScores; config: RunConfig },
): Promise<NodeVerdict> {
  const node = await deps.archive.requireNode(input.runId, input.nodeId);
  const ranked = domainScoresOf(input.scores);
  const verdict = eligibility(
    {
      parentId: node.parentId,
      patchEmpty: node.patchEmpty,
      validationPassed: node.validation.passed,
      scores: ranked,
      incomplete: incompleteEvaluationsOf(input.scores, input.config.domains),
    },
    input.config.domains,
  );
  const perDomain: Record<string, number> = {};
  for (const d of input.config.domains) {
    const s = rankingScore(ranked[d]);
    if (s !== undefined) perDomain[d] = s;
  }
  return {
    eligible: verdict.eligible,
    reasons: [...verdict.reasons],
    perDomain,
    score: verdict.eligible ? meanRankingScore(ranked, input.config.domains) : undefined,
  };
}

/** Writes the evaluation into the node record; a node the policy holds is marked pending. */
export async function finalizeNode(
  deps: EngineDeps,
  input: { runId: string; nodeId: string; scores: NodeScores; pendingApproval: boolean },
): Promise<void> {
  const existing = await deps.archive.requireNode(input.runId, input.nodeId);
  await deps.archive.updateNode(input.runId, input.nodeId, {
    scores: input.scores,
    // A retried finalize must not undo a reviewer's decision taken in between.
    ...(input.pendingApproval && !existing.approval ? { approval: { status: 'pending' as const } } : {}),
  });
}

/** Records a reviewer's decision on a held node. */
export async function decideApproval(
  deps: EngineDeps,
  input: {
    runId: string;
    nodeId: string;
    decision: 'approved' | 'rejected';
    note?: string;
    reviewer?: string;
  },
): Promise<void> {
  await deps.archive.updateNode(input.runId, input.nodeId, {
    approval: {
      status: input.decision,
      ...(input.note ? { note: input.note } : {}),
      ...(input.reviewer ? { by: input.reviewer } : {}),
      at: new Date().toISOString(),
    },
  });
}
