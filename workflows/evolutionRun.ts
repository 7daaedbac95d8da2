import { allHandlersFinished, condition, continueAsNew, setHandler } from '@temporalio/workflow';
import type { BudgetChange } from '../src/engine/runState';
import type { RunStatus } from '../src/engine/types';
import {
  approveUpdate,
  pauseSignal,
  rejectUpdate,
  resumeSignal,
  setBudgetUpdate,
  statusQuery,
} from './messages';
import { RunHolder, type EvolutionRunInput } from './runHolder';

export { generationId, type EvolutionRunInput } from './runHolder';

/**
 * The evolution: runs generations as child workflows (up to `parallelism` at once), keeps only small
 * state, answers messages, and continues as new every N generations without losing any of them.
 */
export async function evolutionRun(input: EvolutionRunInput): Promise<RunStatus> {
  const run = new RunHolder(input);
  setHandler(statusQuery, () => run.status());
  setHandler(pauseSignal, () => run.setPaused(true));
  setHandler(resumeSignal, () => run.setPaused(false));
  setHandler(approveUpdate, (nodeId, note, reviewer) => run.decide(nodeId, 'approved', note, reviewer), {
    validator: (nodeId: string, _note?: string, _reviewer?: string) => run.validateDecision(nodeId),
  });
  setHandler(rejectUpdate, (nodeId, note, reviewer) => run.decide(nodeId, 'rejected', note, reviewer), {
    validator: (nodeId: string, _note?: string, _reviewer?: string) => run.validateDecision(nodeId),
  });
  setHandler(setBudgetUpdate, (change) => run.setBudget(change), {
    validator: (change: BudgetChange) => run.validateBudget(change),
  });

  run.publish();
  if (run.state.startNodeId === undefined) await run.startNode();
  for (;;) {
    await run.waitForWork();
    run.collect();
    if (run.idle && run.state.stopReason !== undefined) break;
    if (run.idle && run.wantContinueAsNew()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof evolutionRun>({
        runId: run.runId,
        config: run.config,
        state: run.state,
        ...(run.queues ? { queues: run.queues } : {}),
      });
    }
    run.startGenerations();
    if (run.idle && run.state.paused) await condition(() => !run.state.paused || run.finished.length > 0);
  }
  await run.awaitDecisions();
  await run.heldOutTest();
  run.publish();
  await condition(allHandlersFinished);
  return run.status();
}
