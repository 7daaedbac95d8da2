import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EngineActivities } from '../activities/engine';
import {
  applyDecision,
  heldOutReport,
  budgetProblem,
  canStartGeneration,
  decisionProblem,
  initialState,
  recordGeneration,
  stopReason,
} from '../src/engine/runState';
import type { GenerationResult, RunConfig, RunState, RunStatus } from '../src/engine/types';
import { nodeIdFor } from '../src/archive/keys';
import { searchAttributes } from '../temporal/searchAttributes';
import { generationWorkflow } from './generation';
import {
  approveUpdate,
  pauseSignal,
  rejectUpdate,
  resumeSignal,
  setBudgetUpdate,
  statusQuery,
} from './messages';

export interface EvolutionRunInput {
  runId: string;
  config: RunConfig;
  /** Carried across continue-as-new. */
  state?: RunState;
}

const { decideApproval, evaluateTestSplit } = proxyActivities<EngineActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 5 },
});

/** The innermost message of a failure chain (child workflow → activity → application error). */
function rootCause(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(err);
}

export function generationId(runId: string, generation: number): string {
  return `${runId}/gen-${String(generation).padStart(5, '0')}`;
}

/**
 * The evolution: runs generations as child workflows (up to `parallelism` at once), keeps only small
 * state, answers messages, and continues as new every N generations without losing any of them.
 */
export async function evolutionRun(input: EvolutionRunInput): Promise<RunStatus> {
  const { runId, config } = input;
  let state: RunState = input.state ?? initialState(runId, config, Date.now());
  const running = new Set<number>();
  const finished: Array<{ generation: number; result?: GenerationResult; error?: string }> = [];
  let startedThisRun = 0;

  const status = (): RunStatus => ({
    ...state,
    method: config.method,
    domains: config.domains,
    running: [...running],
  });
  function publish(): void {
    const label = state.stopReason
      ? state.pending.length > 0
        ? 'awaiting-approval'
        : 'completed'
      : state.paused
        ? 'paused'
        : 'running';
    upsertSearchAttributes([
      { key: searchAttributes.runId, value: runId },
      { key: searchAttributes.generation, value: state.generationsDone },
      { key: searchAttributes.status, value: label },
      { key: searchAttributes.domains, value: config.domains },
      ...(state.bestScore !== undefined ? [{ key: searchAttributes.bestScore, value: state.bestScore }] : []),
    ]);
    upsertMemo({
      method: config.method,
      bestNodeId: state.bestNodeId ?? null,
      pendingApprovals: state.pending.length,
      stopReason: state.stopReason ?? null,
    });
  }

  setHandler(statusQuery, status);
  setHandler(pauseSignal, () => {
    state = { ...state, paused: true };
    publish();
  });
  setHandler(resumeSignal, () => {
    state = { ...state, paused: false };
    publish();
  });
  const decide = (decision: 'approved' | 'rejected') => ({
    handler: async (nodeId: string, note?: string): Promise<string> => {
      await decideApproval({ runId, nodeId, decision, note });
      state = applyDecision(state, nodeId, decision);
      publish();
      return `${nodeId} ${decision}`;
    },
    validator: (nodeId: string, _note?: string): void => {
      const problem = decisionProblem(state, nodeId);
      if (problem) throw new Error(problem);
    },
  });
  const approve = decide('approved');
  const reject = decide('rejected');
  setHandler(approveUpdate, approve.handler, { validator: approve.validator });
  setHandler(rejectUpdate, reject.handler, { validator: reject.validator });
  setHandler(
    setBudgetUpdate,
    (change) => {
      state = { ...state, budget: { ...state.budget, ...change }, stopReason: undefined };
      return state.budget;
    },
    {
      validator: (change) => {
        const problem = budgetProblem(change, state);
        if (problem) throw new Error(problem);
      },
    },
  );

  const launch = (generation: number) => {
    running.add(generation);
    if (generation > 0) startedThisRun += 1;
    const budgetLeft = {
      usd: state.budget.usd !== undefined ? state.budget.usd - state.spentUsd : undefined,
      tokens: state.budget.tokens !== undefined ? state.budget.tokens - state.spentTokens : undefined,
    };
    startChild(generationWorkflow, {
      workflowId: generationId(runId, generation),
      args: [{ runId, generation, config, budgetLeft, bestScore: state.bestScore }],
    })
      .then((child) => child.result())
      .then(
        (result) => {
          // Same callback as the push: no later microtask can leave `running` stale for a condition.
          running.delete(generation);
          finished.push({ generation, result });
        },
        (err: unknown) => {
          running.delete(generation);
          finished.push({ generation, error: rootCause(err) });
        },
      );
  };

  const wantContinueAsNew = () =>
    startedThisRun >= config.continueAsNewEvery || workflowInfo().continueAsNewSuggested;

  publish();
  if (state.startNodeId === undefined) {
    launch(0);
    await condition(() => finished.length > 0);
    const start = finished.shift()!;
    if (!start.result) throw ApplicationFailure.nonRetryable(`the start node failed: ${start.error}`);
    // Generation 0 is the start program, not a generation of the budget.
    const counted = recordGeneration(state, start.result);
    state = { ...counted, generationsDone: state.generationsDone, startNodeId: start.result.nodeId };
    publish();
  }

  for (;;) {
    const woke = () =>
      finished.length > 0 ||
      (!wantContinueAsNew() && canStartGeneration(state, running.size, config.parallelism)) ||
      running.size === 0;
    if (state.budget.wallClockHours !== undefined) await condition(woke, '1 minute');
    else await condition(woke);

    for (const f of finished.splice(0)) {
      state = f.result
        ? recordGeneration(state, f.result)
        : { ...state, generationsDone: state.generationsDone + 1, failures: state.failures + 1 };
    }
    state = { ...state, stopReason: state.stopReason ?? stopReason(state, Date.now()) };
    publish();
    if (running.size === 0 && state.stopReason !== undefined) break;
    if (running.size === 0 && wantContinueAsNew()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof evolutionRun>({ runId, config, state });
    }
    while (!wantContinueAsNew() && canStartGeneration(state, running.size, config.parallelism)) {
      const generation = state.generationsStarted + 1;
      state = { ...state, generationsStarted: generation };
      launch(generation);
    }
    if (running.size === 0 && state.paused) await condition(() => !state.paused || finished.length > 0);
  }

  // The run ends only when every node it holds for a person has been decided.
  if (state.pending.length > 0) {
    publish();
    await condition(() => state.pending.length === 0);
  }
  if (config.testAtEnd && state.bestNodeId) {
    const start = state.startNodeId ?? nodeIdFor(0);
    const scores = await evaluateTestSplit({
      runId,
      nodeIds: [...new Set([start, state.bestNodeId])],
      config,
    });
    state = { ...state, test: heldOutReport(start, state.bestNodeId, scores, state.generationsDone) };
  }
  publish();
  await condition(allHandlersFinished);
  return status();
}
