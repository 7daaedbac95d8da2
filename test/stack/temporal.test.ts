import { randomUUID } from 'crypto';
import { connectClient } from '../../temporal/connection';
import { createWorker } from '../../temporal/worker';
import { smokeWorkflow } from '../../workflows';
import { stackConfig } from '../helpers/stack';

const c = stackConfig();

test('a workflow round trip through the dev server, found again by a custom search attribute', async () => {
  const client = await connectClient(c);
  const taskQueue = `test-${randomUUID()}`;
  const runId = `rt-${randomUUID()}`;
  const { worker, close } = await createWorker(c, taskQueue);
  try {
    const result = await worker.runUntil(
      client.workflow.execute(smokeWorkflow, { workflowId: runId, taskQueue, args: [runId] }),
    );
    expect(result.workflowId).toBe(runId);
    expect(result.objectKey).toBe(`smoke/${runId}.json`);
    expect(JSON.parse(result.sandbox.stdout)).toEqual({ uid: 10001, interfaces: ['lo'] });

    // Visibility is eventually consistent: poll (bounded) until the search attribute index has it.
    let found: string[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = [];
      for await (const wf of client.workflow.list({ query: `HyperagentsRunId = '${runId}'` })) {
        found.push(`${wf.workflowId}:${String(wf.searchAttributes.HyperagentsStatus)}`);
      }
      if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toEqual([`${runId}:completed`]);
    const none: string[] = [];
    for await (const wf of client.workflow.list({ query: `HyperagentsRunId = 'no-such-${runId}'` })) {
      none.push(wf.workflowId);
    }
    expect(none).toEqual([]);
  } finally {
    await close();
    await client.connection.close();
  }
});
