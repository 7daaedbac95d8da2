import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { EngineActivities } from '../activities/engine';
import type { TaskQueues, WorkKind } from '../src/engine/types';

/**
 * Which kind of work each activity is: the one place that says so. The workflows schedule each
 * activity on its kind's task queue (`routedActivities`); a worker registers the activities of the
 * kinds it polls (temporal/worker.ts). Orchestration needs only S3: record reads and writes and
 * spend sums. Meta is the meta agent's session (LLM-bound, minutes to an hour) with the child's
 * validation that ends it. Evaluation is whatever runs a program in a sandbox or reads a domain's
 * tasks: the start node's validation, the agent-editable selector, the evaluation plan and stages.
 */
export const ACTIVITY_KINDS: Readonly<Record<keyof EngineActivities, WorkKind>> = {
  createStartNode: 'evaluation',
  selectParent: 'evaluation',
  selfModify: 'meta',
  planEvaluation: 'evaluation',
  evaluateStage: 'evaluation',
  evaluateNode: 'evaluation',
  evaluateTestSplit: 'evaluation',
  scoreNode: 'orchestration',
  finalizeNode: 'orchestration',
  decideApproval: 'orchestration',
  recordedSpend: 'orchestration',
};

/** What `proxyActivities` gives for the engine's activities. */
type EngineProxy = ReturnType<typeof proxyActivities<EngineActivities>>;

/**
 * The engine's activities with `options`, each on its kind's queue of `queues`. Without `queues`
 * (runs started before the queues by kind, benches and tests on one private queue) every activity
 * goes to the workflow's own queue, as the history of such a run recorded.
 */
export function routedActivities(options: ActivityOptions, queues: TaskQueues | undefined): EngineProxy {
  if (!queues) return proxyActivities<EngineActivities>(options);
  const on = (kind: WorkKind) => proxyActivities<EngineActivities>({ ...options, taskQueue: queues[kind] });
  const byKind = { orchestration: on('orchestration'), meta: on('meta'), evaluation: on('evaluation') };
  return Object.fromEntries(
    Object.entries(ACTIVITY_KINDS).map(([name, kind]) => [
      name,
      byKind[kind][name as keyof EngineActivities],
    ]),
  ) as EngineProxy;
}
