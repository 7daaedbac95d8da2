import {
  createStartNode,
  decideApproval,
  evaluateNode,
  evaluateStage,
  evaluateTestSplit,
  finalizeNode,
  planEvaluation,
  recordedSpend,
  scoreNode,
  selectParent,
  selfModify,
  type EngineDeps,
} from '../../src/engine';
import { mapErrors } from './errors';
import { withHeartbeat } from './heartbeat';

type Input<F extends (deps: EngineDeps, input: never, signal?: AbortSignal) => unknown> = Parameters<F>[1];

/**
 * The engine's activities: adapters over the services of src/engine that add heartbeats,
 * cancellation and error mapping, nothing else. Every one heartbeats (a dead worker is noticed in
 * seconds, not at the activity's time limit); long ones also pass the cancellation signal.
 */
export function engineActivities(deps: EngineDeps) {
  return {
    createStartNode: (input: Input<typeof createStartNode>) =>
      mapErrors(() => withHeartbeat('start node', (signal) => createStartNode(deps, input, signal))),
    selectParent: (input: Input<typeof selectParent>) =>
      mapErrors(() =>
        withHeartbeat(`select parent of gen ${input.generation}`, (signal) =>
          selectParent(deps, input, signal),
        ),
      ),
    selfModify: (input: Input<typeof selfModify>) =>
      mapErrors(() =>
        withHeartbeat(`meta agent of ${input.parentId} (gen ${input.generation})`, (signal) =>
          selfModify(deps, input, signal),
        ),
      ),
    evaluateNode: (input: Input<typeof evaluateNode>) =>
      mapErrors(() =>
        withHeartbeat(`${input.nodeId} on ${input.domain}`, (signal) => evaluateNode(deps, input, signal)),
      ),
    planEvaluation: (input: Input<typeof planEvaluation>) =>
      mapErrors(() => withHeartbeat('evaluation plan', () => planEvaluation(deps, input))),
    evaluateStage: (input: Input<typeof evaluateStage>) =>
      mapErrors(() =>
        withHeartbeat(
          `${input.nodeId} on ${input.domain} ${input.split} (${input.stage})`,
          (signal, progress) => evaluateStage(deps, input, signal, progress),
        ),
      ),
    evaluateTestSplit: (input: Input<typeof evaluateTestSplit>) =>
      mapErrors(() =>
        withHeartbeat(`test split of ${input.nodeIds.join(', ')}`, (signal) =>
          evaluateTestSplit(deps, input, signal),
        ),
      ),
    scoreNode: (input: Input<typeof scoreNode>) =>
      withHeartbeat(`score ${input.nodeId}`, () => scoreNode(deps, input)),
    finalizeNode: (input: Input<typeof finalizeNode>) =>
      withHeartbeat(`finalize ${input.nodeId}`, () => finalizeNode(deps, input)),
    decideApproval: (input: Input<typeof decideApproval>) =>
      withHeartbeat(`decision on ${input.nodeId}`, () => decideApproval(deps, input)),
    recordedSpend: (input: Input<typeof recordedSpend>) =>
      withHeartbeat(`spend of ${input.nodeId}`, () => recordedSpend(deps, input)),
  };
}

export type EngineActivities = ReturnType<typeof engineActivities>;
