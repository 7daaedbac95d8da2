import { CURRENT_WORKFLOW_RELEASE } from '../../workflows/releases';
import { workflowsPath } from '../../temporal/worker';
import {
  commandSignature,
  recordRelease,
  releaseFixtures,
  replayEach,
  type History,
} from '../workflows/releaseFixtures';
import { EngineHarness, smallRun } from './helpers';

/**
 * A fresh run's histories replay, and the current code issues the kinds of commands the newest
 * released workflow version recorded (workflows/releases.ts). The run is what `hyperagents run`
 * starts: a worker per kind of work, activities on their kind's queue; it continues as new once and
 * starts three child generations. Every release's recorded histories replay in
 * test/workflows/replay.test.ts.
 *
 * A workflow change that issues other commands (a new or renamed activity, another queue, a patch,
 * a timer, a child workflow) fails the comparison: add a release to workflows/releases.ts and
 * record it with UPDATE_HISTORY_FIXTURES=1, which writes this run's histories into the newest
 * release's folder (and refuses one already recorded: released histories never change).
 */
let h: EngineHarness;
beforeAll(async () => {
  h = await new EngineHarness(undefined, { byKind: true }).start();
});
afterAll(() => h.stop());

test('a fresh run (queues by kind, continue-as-new, child generations) replays and issues the commands of the newest release', async () => {
  const { runId, handle } = await h.startRun(smallRun({ budget: { generations: 2 }, continueAsNewEvery: 1 }));
  await handle.result();
  const query = `WorkflowId = '${runId}' OR WorkflowId STARTS_WITH '${runId}/'`;
  // Visibility is eventually consistent: wait (bounded) for two run executions and three children.
  let listed: Array<{ workflowId: string; runId: string }> = [];
  for (let i = 0; i < 40; i++) {
    listed = [];
    for await (const wf of h.client.workflow.list({ query }))
      listed.push({ workflowId: wf.workflowId, runId: wf.runId });
    if (listed.length >= 5) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  // The run continued as new once (after generation 1); generations 0, 1 and 2 are child workflows.
  expect(listed.filter((x) => x.workflowId === runId)).toHaveLength(2);
  expect(
    listed
      .filter((x) => x.workflowId.startsWith(`${runId}/gen-`))
      .map((x) => x.workflowId)
      .sort(),
  ).toEqual([0, 1, 2].map((g) => `${runId}/gen-0000${g}`));
  const histories: Array<{ name: string; history: History }> = [];
  for (const wf of listed) {
    histories.push({
      name: `${wf.workflowId} ${wf.runId}`,
      history: await h.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory(),
    });
  }

  expect(await replayEach({ workflowsPath: workflowsPath() }, histories)).toEqual(
    histories.map((x) => [x.name, undefined]),
  );
  // The activities went to their kinds' queues, not the run's.
  const fresh = commandSignature(histories.map((x) => x.history));
  expect(fresh).toContain('generationWorkflow: activity selfModify on meta');
  expect(fresh).toContain('generationWorkflow: activity evaluateStage on evaluation');
  expect(fresh).toContain('generationWorkflow: activity finalizeNode on orchestration');

  if (process.env.UPDATE_HISTORY_FIXTURES === '1')
    recordRelease(
      CURRENT_WORKFLOW_RELEASE.id,
      histories.map((x) => x.history),
    );
  const recorded = releaseFixtures(CURRENT_WORKFLOW_RELEASE.id).map((f) => f.history);
  expect({ release: CURRENT_WORKFLOW_RELEASE.id, commands: fresh }).toEqual({
    release: CURRENT_WORKFLOW_RELEASE.id,
    commands: commandSignature(recorded),
  });
}, 300_000);
