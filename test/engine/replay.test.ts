import * as fs from 'fs';
import * as path from 'path';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { workflowsPath } from '../../temporal/worker';
import { EngineHarness, smallRun } from './helpers';

/**
 * Recorded histories must replay on the current workflow code: a change that would break running
 * workflows (nondeterminism) fails here. Fixtures under test/fixtures/histories are histories
 * recorded by an earlier version; set UPDATE_HISTORY_FIXTURES=1 to record new ones. That replay can
 * fail at all is shown by test/workflows/replay.test.ts (altered fixtures must not replay).
 */
const FIXTURES = path.resolve(__dirname, '../fixtures/histories');

let h: EngineHarness;
beforeAll(async () => {
  h = await new EngineHarness().start();
});
afterAll(() => h.stop());

async function replay(histories: Array<{ workflowId: string; history: unknown }>): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: workflowsPath() }, histories as never))
    results.push(r);
  return results;
}

test('histories of a fresh run (continue-as-new, child generations) and the recorded fixtures replay deterministically', async () => {
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
  const histories: Array<{ workflowId: string; history: unknown }> = [];
  for (const wf of listed) {
    histories.push({
      workflowId: wf.workflowId,
      history: await h.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory(),
    });
  }

  if (process.env.UPDATE_HISTORY_FIXTURES === '1') {
    fs.mkdirSync(FIXTURES, { recursive: true });
    histories.forEach((x, i) =>
      fs.writeFileSync(
        path.join(FIXTURES, `evolution-${i}.history.bin`),
        temporal.api.history.v1.History.encode(x.history as temporal.api.history.v1.IHistory).finish(),
      ),
    );
  }
  const recorded = fs.existsSync(FIXTURES)
    ? fs.readdirSync(FIXTURES).map((f) => ({
        workflowId: `fixture-${f}`,
        // Binary protobuf: JSON histories need protobufjs's JSON extension, which jest's module registry breaks.
        history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(FIXTURES, f))),
      }))
    : [];
  const results = await replay([...histories, ...recorded]);
  expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual(
    [...histories, ...recorded].map((x) => [x.workflowId, undefined]),
  );
}, 300_000);
