import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  approveUpdate,
  pauseSignal,
  rejectUpdate,
  resumeSignal,
  setBudgetUpdate,
} from '../../workflows/messages';
import { failureOf, Gate, nodeId, WorkflowTestEnv } from './harness';

/**
 * The run's messages with stub activities: the approval gate (approve/reject updates and their
 * validator), pause/resume signals and the setBudget update. The tests run concurrently: each has
 * its own runs and stubs.
 */
let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await WorkflowTestEnv.create();
});
afterAll(() => env.close());

test.concurrent('the approval policy holds nodes until a person approves or rejects them', async () => {
  // Generation 1 is the run's best by far, generation 2 a little better than the start node.
  const scores: Record<number, number> = { 0: 0.2, 1: 0.9, 2: 0.3 };
  await env.run({ score: (g) => scores[g]! }, async ({ start, stubs, waitFor, client }) => {
    const { runId, handle } = await start({ budget: { generations: 2 }, approval: 'all' });
    const held = await waitFor(
      handle,
      'both generations done and held for approval',
      (s) => s.generationsDone === 2 && s.pending.length === 2,
    );
    expect(held.pending.map((p) => p.nodeId).sort()).toEqual([nodeId(1), nodeId(2)]);
    // A held node cannot be the best, however good, and the run does not end while nodes wait.
    expect(held.bestNodeId).toBe(nodeId(0));
    expect(
      stubs
        .inputs('finalizeNode')
        .filter((i) => i.pendingApproval)
        .map((i) => i.nodeId)
        .sort(),
    ).toEqual([nodeId(1), nodeId(2)]);
    expect((await client.workflow.getHandle(runId).describe()).status.name).toBe('RUNNING');

    // The validator refuses a node that is not waiting, with a message naming the ones that are.
    const refusal = handle.executeUpdate(approveUpdate, { args: [nodeId(7), 'looks fine'] });
    await expect(refusal).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect(await failureOf(handle.executeUpdate(approveUpdate, { args: [nodeId(7)] }))).toBe(
      `node ${nodeId(7)} is not waiting for approval in run ${runId} (pending: ${nodeId(1)}, ${nodeId(2)})`,
    );
    expect(stubs.inputs('decideApproval')).toEqual([]);

    expect(await handle.executeUpdate(approveUpdate, { args: [nodeId(1), 'reviewed: good'] })).toMatch(
      nodeId(1),
    );
    // A node decided once cannot be decided again.
    expect(await failureOf(handle.executeUpdate(rejectUpdate, { args: [nodeId(1)] }))).toMatch(
      /already approved/,
    );
    await handle.executeUpdate(rejectUpdate, { args: [nodeId(2), 'no'] });
    const result = await handle.result();

    expect(stubs.inputs('decideApproval')).toEqual([
      { runId, nodeId: nodeId(1), decision: 'approved', note: 'reviewed: good' },
      { runId, nodeId: nodeId(2), decision: 'rejected', note: 'no' },
    ]);
    expect(result.pending).toEqual([]);
    expect(result.decided).toEqual({ [nodeId(1)]: 'approved', [nodeId(2)]: 'rejected' });
    // Approved, the held node becomes the best it scored.
    expect(result.bestNodeId).toBe(nodeId(1));
  });
});

test.concurrent(
  'approve and reject of one node at once: the first claims it, the second is refused',
  async () => {
    const gate = new Gate();
    await env.run({ decideHold: gate }, async ({ start, stubs, waitFor }) => {
      const { handle } = await start({ budget: { generations: 1 }, approval: 'all' });
      await waitFor(handle, 'generation 1 held for approval', (s) => s.pending.length === 1);
      // The approval's record is still being written (its activity waits on the gate) when the reject comes.
      const approval = handle.executeUpdate(approveUpdate, { args: [nodeId(1), 'yes'] });
      await waitFor(handle, 'the approval being recorded', () => stubs.inputs('decideApproval').length === 1);
      expect(await failureOf(handle.executeUpdate(rejectUpdate, { args: [nodeId(1), 'no'] }))).toBe(
        `node ${nodeId(1)} is already being approved`,
      );
      gate.open();
      expect(await approval).toBe(`${nodeId(1)} approved`);
      const result = await handle.result();
      expect(stubs.inputs('decideApproval').map((i) => i.decision)).toEqual(['approved']);
      expect(result.decided).toEqual({ [nodeId(1)]: 'approved' });
    });
  },
);

test.concurrent('pause stops new generations from starting; resume lets the run finish', async () => {
  const gate = new Gate();
  await env.run({ hold: (g) => (g === 1 ? gate : undefined) }, async ({ start, stubs, waitFor }) => {
    const { handle } = await start({ budget: { generations: 3 } });
    await waitFor(handle, 'generation 1 running', (s) => s.running.includes(1));
    await handle.signal(pauseSignal);
    await waitFor(handle, 'the run paused', (s) => s.paused);
    gate.open();
    // Generation 1 finishes; a run ignoring the pause would have started generation 2 in the same
    // workflow task that recorded it, so `running` would not be empty here.
    const paused = await waitFor(handle, 'generation 1 recorded', (s) => s.generationsDone === 1);
    expect(paused.running).toEqual([]);
    expect(paused.stopReason).toBeUndefined();
    expect(stubs.inputs('selfModify').map((i) => i.generation)).toEqual([1]);

    await handle.signal(resumeSignal);
    const result = await handle.result();
    expect(result.paused).toBe(false);
    expect(result.generationsDone).toBe(3);
    expect(stubs.inputs('selfModify').map((i) => i.generation)).toEqual([1, 2, 3]);
  });
});

test.concurrent('setBudget refuses bad changes with the reason and applies a good one at once', async () => {
  const gate = new Gate();
  await env.run({ hold: () => gate }, async ({ start, waitFor, status }) => {
    const { handle } = await start({ budget: { generations: 10 }, parallelism: 2 });
    await waitFor(handle, 'generations 1 and 2 running', (s) => s.running.length === 2);

    const refused = (change: object) =>
      failureOf(handle.executeUpdate(setBudgetUpdate, { args: [change as never] }));
    expect(await refused({})).toBe('no budget field given');
    expect(await refused({ dollars: 5 })).toMatch(/^unknown budget field\(s\): dollars/);
    expect(await refused({ usd: -1 })).toBe('budget.usd must be a positive number, got -1');
    expect(await refused({ generations: 1 })).toBe(
      'budget.generations must be an integer >= 2 (generations already started)',
    );
    // Refused changes changed nothing.
    expect((await status(handle)).budget).toEqual({ generations: 10 });

    expect(await handle.executeUpdate(setBudgetUpdate, { args: [{ generations: 2, usd: 5 }] })).toEqual({
      generations: 2,
      usd: 5,
    });
    gate.open();
    const result = await handle.result();
    expect(result.generationsDone).toBe(2);
    expect(result.stopReason).toBe('generation budget reached (2)');
  });
});

test.concurrent(
  'after setBudget, each meta agent is told the generations left under the new budget',
  async () => {
    const gate = new Gate();
    await env.run({ hold: (g) => (g === 1 ? gate : undefined) }, async ({ start, waitFor, stubs }) => {
      const { handle } = await start({ budget: { generations: 2 } });
      await waitFor(handle, 'generation 1 running', (s) => s.running.includes(1));
      await handle.executeUpdate(setBudgetUpdate, { args: [{ generations: 4 }] });
      gate.open();
      await handle.result();
      // Generation 1 started under the old budget (2 − 1 left); the later ones see 4.
      expect(stubs.inputs('selfModify').map((i) => [i.generation, i.generationsLeft])).toEqual([
        [1, 1],
        [2, 2],
        [3, 1],
        [4, 0],
      ]);
    });
  },
);
