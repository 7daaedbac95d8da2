import { ApplicationFailure } from '@temporalio/activity';
import {
  METHOD_POLICIES,
  rngFor,
  selectParent,
  editableSelectorInput,
  resolveEditableChoice,
  SelectionError,
  type PolicyName,
  type Rng,
  type SelectionResult,
  type SelectionSnapshot,
} from '../../src/selection';
import { domainScoresOf, nodeIdFor } from '../../src/archive';
import { eligibility, meanRankingScore, rankingScore } from '../../src/evaluation';
import { jsonLines, runHarness } from '../../src/agent/runInSandbox';
import type { DomainScores, RunConfig } from '../../src/engine';
import type { EngineDeps } from './deps';

export function decisionActivities(deps: EngineDeps) {
  const { archive } = deps;

  /** The agent-editable selector: the latest eligible program's own select_parent.mjs, in the sandbox. */
  async function editableSelection(
    runId: string,
    generation: number,
    snapshot: SelectionSnapshot,
    rng: Rng,
    fallback: PolicyName,
  ): Promise<SelectionResult> {
    const latest = [...snapshot.candidates]
      .filter((c) => c.eligible)
      .sort((a, b) => b.generation - a.generation)[0];
    if (!latest) throw new SelectionError('no eligible node to select from');
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
    return resolveEditableChoice(outcome, snapshot, rng, fallback);
  }

  return {
    /**
     * Picks the parent of a generation by the run's rule, over a read-only snapshot of the archive,
     * and records the decision (rule, distribution, any fallback) at `runs/<run>/selection/<node>.json`.
     */
    async selectParent(input: { runId: string; generation: number; config: RunConfig }): Promise<string> {
      const { runId, generation, config } = input;
      const snapshot = await archive.selectionSnapshot(runId, config.domains);
      const rng = rngFor(config.seed, generation);
      const base = (METHOD_POLICIES as Record<string, PolicyName>)[config.method] ?? 'score_child_prop';
      let result: SelectionResult;
      try {
        result =
          config.selection === 'agent'
            ? await editableSelection(runId, generation, snapshot, rng, base)
            : selectParent(config.selection ?? base, snapshot, rng);
      } catch (e) {
        if ((e as Error).name !== 'SelectionError') throw e;
        throw ApplicationFailure.nonRetryable((e as Error).message, 'SelectionError');
      }
      await deps.store.put(
        `runs/${runId}/selection/${nodeIdFor(generation)}.json`,
        JSON.stringify({ generation, ...result }),
        'application/json',
      );
      return result.nodeId;
    },

    /** Eligibility and the ranking score of a node from its evaluation. */
    async scoreNode(input: { runId: string; nodeId: string; scores: DomainScores; config: RunConfig }) {
      const node = await archive.requireNode(input.runId, input.nodeId);
      const ranked = domainScoresOf(input.scores);
      const verdict = eligibility(
        {
          parentId: node.parentId,
          patchEmpty: node.patchEmpty,
          validationPassed: node.validation.passed,
          scores: ranked,
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
        reasons: verdict.reasons,
        perDomain,
        score: verdict.eligible ? meanRankingScore(ranked, input.config.domains) : undefined,
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
