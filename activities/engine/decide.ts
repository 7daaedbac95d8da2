import { ApplicationFailure } from '@temporalio/activity';
import {
  METHOD_POLICIES,
  rngFor,
  selectParent,
  editableSelectorInput,
  resolveEditableChoice,
  type PolicyName,
} from '../../src/selection';
import { eligibility, meanRankingScore, rankingScore } from '../../src/evaluation';
import { jsonLines, runHarness } from '../../src/agent/runInSandbox';
import type { DomainScores, RunConfig } from '../../src/engine';
import type { EngineDeps } from './deps';

/** Split scores reduced to the numbers the evaluation rules rank on (train and val only). */
function rankable(scores: DomainScores): Record<string, { train?: number; val?: number }> {
  const out: Record<string, { train?: number; val?: number }> = {};
  for (const [d, s] of Object.entries(scores)) out[d] = { train: s.train?.score, val: s.val?.score };
  return out;
}

export function decisionActivities(deps: EngineDeps) {
  const { archive } = deps;
  return {
    /** Picks the parent of a generation by the run's rule, over a read-only snapshot of the archive. */
    async selectParent(input: { runId: string; generation: number; config: RunConfig }): Promise<string> {
      const { runId, generation, config } = input;
      const snapshot = await archive.selectionSnapshot(runId, config.domains);
      const rng = rngFor(config.seed, generation);
      const base = (METHOD_POLICIES as Record<string, PolicyName>)[config.method] ?? 'score_child_prop';
      if (config.selection !== 'agent') {
        try {
          return selectParent(config.selection ?? base, snapshot, rng).nodeId;
        } catch (e) {
          throw ApplicationFailure.nonRetryable((e as Error).message, 'SelectionError');
        }
      }
      // The agent-editable selector: the latest eligible program's own select_parent.mjs, in the sandbox.
      const latest = [...snapshot.candidates]
        .filter((c) => c.eligible)
        .sort((a, b) => b.generation - a.generation)[0];
      if (!latest) throw ApplicationFailure.nonRetryable('no eligible node to select from', 'SelectionError');
      const program = await archive.getProgram((await archive.requireNode(runId, latest.id)).snapshotKey);
      const res = await runHarness({
        sandbox: await deps.sandbox(),
        program,
        script: 'run_select.mjs',
        input: editableSelectorInput(snapshot, generation, rng),
        limits: { ...deps.limits, timeoutSec: 60 },
      });
      const outcome =
        res.outcome === 'ok' ? { output: jsonLines(res.stdout).at(-1) } : { failure: res.outcome };
      return resolveEditableChoice(outcome, snapshot, rng, base).nodeId;
    },

    /** Eligibility and the ranking score of a node from its evaluation. */
    async scoreNode(input: { runId: string; nodeId: string; scores: DomainScores; config: RunConfig }) {
      const node = await archive.requireNode(input.runId, input.nodeId);
      const verdict = eligibility(
        {
          parentId: node.parentId,
          patchEmpty: node.patchEmpty,
          validationPassed: node.validation.passed,
          scores: rankable(input.scores),
        },
        input.config.domains,
      );
      const perDomain: Record<string, number> = {};
      for (const d of input.config.domains) {
        const s = rankingScore(rankable(input.scores)[d]);
        if (s !== undefined) perDomain[d] = s;
      }
      return {
        eligible: verdict.eligible,
        reasons: verdict.reasons,
        perDomain,
        score: verdict.eligible ? meanRankingScore(rankable(input.scores), input.config.domains) : undefined,
      };
    },

    /** Writes the evaluation into the node record; a node the policy holds is marked pending. */
    async finalizeNode(input: {
      runId: string;
      nodeId: string;
      scores: DomainScores;
      pendingApproval: boolean;
    }) {
      const existing = await archive.requireNode(input.runId, input.nodeId);
      await archive.updateNode(input.runId, input.nodeId, {
        scores: input.scores,
        // A retried finalize must not undo a reviewer's decision taken in between.
        ...(input.pendingApproval && !existing.approval ? { approval: { status: 'pending' as const } } : {}),
      });
    },

    async decideApproval(input: {
      runId: string;
      nodeId: string;
      decision: 'approved' | 'rejected';
      note?: string;
    }) {
      await archive.updateNode(input.runId, input.nodeId, {
        approval: {
          status: input.decision,
          ...(input.note ? { note: input.note } : {}),
          at: new Date().toISOString(),
        },
      });
    },
  };
}
