import { execFile } from 'child_process';
import * as path from 'path';
import { projectRoot } from '../../src/host/assets';
import { approveUpdate, pauseSignal, rejectUpdate, resumeSignal } from '../../workflows/messages';
import { EngineHarness, smallRun } from './helpers';

let h: EngineHarness;
beforeAll(async () => {
  h = await new EngineHarness().start();
});
afterAll(() => h.stop());

/** The validator's message of a refused update (the SDK wraps it as the error's cause). */
async function updateError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message;
  }
  throw new Error('the update was accepted');
}

/** The built CLI as a reviewer runs it; asynchronous, so this process's worker keeps serving the run. */
function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(projectRoot, 'bin/hyperagents.js'), ...args],
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout.trim(), err: stderr.trim() }),
    );
  });
}

test('approval policy holds nodes; approve via CLI releases, reject marks; validators refuse; pending survives continue-as-new', async () => {
  const { runId, handle } = await h.startRun(
    smallRun({ budget: { generations: 3 }, approval: 'all', continueAsNewEvery: 1 }),
  );
  const held = await h.waitFor(runId, (s) => s.pending.some((p) => p.nodeId === 'gen-00001'));
  expect(held.pending[0]).toMatchObject({
    nodeId: 'gen-00001',
    reason: 'every eligible node needs approval',
  });
  expect((await h.archive.getNode(runId, 'gen-00001'))?.approval?.status).toBe('pending');
  // A held node is never a parent: until approved, every generation starts from the start node.
  const unknown = await cli('approve', runId, 'gen-00099', '--note', 'nope');
  expect(unknown.code).toBe(1);
  expect(unknown.err).toMatch(/^hyperagents: node gen-00099 is not waiting for approval in run t-/);

  const ok = await cli('approve', runId, 'gen-00001', '--note', 'looks good');
  expect([ok.code, ok.out]).toEqual([0, 'gen-00001 approved']);
  expect((await h.archive.getNode(runId, 'gen-00001'))?.approval).toMatchObject({
    status: 'approved',
    note: 'looks good',
  });
  expect(await updateError(handle.executeUpdate(approveUpdate, { args: ['gen-00001'] }))).toBe(
    'node gen-00001 was already approved',
  );

  // Later generations run across continue-as-new (every generation here) with the pending list intact.
  const later = await h.waitFor(
    runId,
    (s) => s.pending.length >= 2 || (s.stopReason !== undefined && s.pending.length >= 1),
  );
  for (const p of later.pending) await handle.executeUpdate(rejectUpdate, { args: [p.nodeId, 'no'] });
  for (;;) {
    const s = await h.status(runId);
    if (s.stopReason && s.pending.length === 0) break;
    for (const p of s.pending) await handle.executeUpdate(rejectUpdate, { args: [p.nodeId, 'no'] });
    await new Promise((r) => setTimeout(r, 300));
  }
  const final = await handle.result();
  expect(final.generationsDone).toBe(3);
  expect(final.decided['gen-00001']).toBe('approved');
  const nodes = await h.nodes(runId);
  const rejected = nodes.filter((n) => n.approval?.status === 'rejected').map((n) => n.nodeId);
  expect(rejected.length).toBeGreaterThanOrEqual(1);
  for (const id of rejected) expect(final.decided[id]).toBe('rejected');
  // A rejected node never became the best.
  expect(rejected).not.toContain(final.bestNodeId);
  const executions: string[] = [];
  for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${runId}'` }))
    executions.push(wf.runId);
  expect(executions.length).toBeGreaterThanOrEqual(3);
}, 300_000);

test('pause holds new generations; resume continues', async () => {
  const { runId, handle } = await h.startRun(smallRun({ budget: { generations: 3 } }));
  await handle.signal(pauseSignal);
  // Generation 0 (the start node) completes; nothing further starts while paused.
  const paused = await h.waitFor(
    runId,
    (s) => s.paused && s.bestNodeId !== undefined && s.running.length === 0,
  );
  await new Promise((r) => setTimeout(r, 3000));
  const still = await h.status(runId);
  expect(still.generationsStarted).toBe(paused.generationsStarted);
  expect(still.paused).toBe(true);
  await handle.signal(resumeSignal);
  const final = await handle.result();
  expect(final.paused).toBe(false);
  expect(final.generationsDone).toBe(3);
}, 300_000);

test('setBudget validates its input and extends the run', async () => {
  const { runId, handle } = await h.startRun(smallRun({ budget: { generations: 1 } }));
  expect(await updateError(handle.executeUpdate('setBudget', { args: [{ generations: -1 }] }))).toBe(
    'budget.generations must be a positive number, got -1',
  );
  expect(await updateError(handle.executeUpdate('setBudget', { args: [{ dollars: 3 }] }))).toMatch(
    /^unknown budget field\(s\): dollars/,
  );
  await handle.executeUpdate('setBudget', { args: [{ generations: 2 }] });
  const final = await handle.result();
  expect(final.generationsDone).toBe(2);
  expect(final.budget.generations).toBe(2);
  expect((await h.nodes(runId)).length).toBe(3);
}, 300_000);
