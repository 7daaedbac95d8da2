import { stageOptions } from '../../workflows/activityOptions';
import { nodeId, runConfig, WorkflowTestEnv } from './harness';

/**
 * How the generation workflow evaluates a child: one activity per domain, split and stage (staged
 * train, then the rest of train past the gate, then the same for validation), each with a time
 * limit sized by its task count, and the gate decided in the workflow.
 */
let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await WorkflowTestEnv.create();
});
afterAll(() => env.close());

test.concurrent(
  "each stage is its own activity, in its domain's order, the domains side by side, and the rest runs only past the gate",
  async () => {
    // beta's staged validation score is 0: gate 0 is not passed, so its rest never runs.
    const stagedScore = (_g: number, domain: string, split: 'train' | 'val') =>
      domain === 'beta' && split === 'val' ? 0 : 0.6;
    await env.run({ stagedScore }, async ({ start, stubs }) => {
      const { handle } = await start({ budget: { generations: 1 } });
      await handle.result();

      const child = stubs
        .inputs('evaluateStage')
        .filter((i) => i.nodeId === nodeId(1))
        .map((i) => `${i.domain} ${i.split} ${i.stage}`);
      const of = (domain: string) => child.filter((c) => c.startsWith(`${domain} `));
      expect(of('alpha')).toEqual([
        'alpha train staged',
        'alpha train rest',
        'alpha val staged',
        'alpha val rest',
      ]);
      expect(of('beta')).toEqual(['beta train staged', 'beta train rest', 'beta val staged']);
      // The domains' chains run side by side: each starts before either goes on to its next stage.
      expect(child.slice(0, 2).sort()).toEqual(['alpha train staged', 'beta train staged']);
      expect(stubs.inputs('evaluateNode')).toHaveLength(0);
      // The split's score: the rest's full score past the gate, else the staged stage's scaled one.
      const finalized = stubs.inputs('finalizeNode').find((i) => i.nodeId === nodeId(1))!;
      expect(finalized.scores.alpha?.val).toMatchObject({ basis: 'full', score: 0.11 });
      expect(finalized.scores.beta?.val).toMatchObject({ basis: 'staged-scaled', score: 0 });
      expect(finalized.scores.beta?.train).toMatchObject({ basis: 'full' });
    });
  },
);

test.concurrent(
  'each stage runs under a time limit derived from its task count and concurrency',
  async () => {
    await env.run({}, async ({ start, stubs }) => {
      const over = { budget: { generations: 1 }, timeouts: { perTaskSec: 30 } };
      const { handle } = await start(over);
      await handle.result();

      const config = runConfig(over);
      const stages = stubs.inputs('evaluateStage');
      expect(stages.length).toBeGreaterThan(0);
      // The stubs plan 10 staged tasks and 20 more, 4 at once: 3 rounds of 30 s plus slack, and 5 rounds.
      const staged = stageOptions(config, 10, 4).startToCloseTimeout;
      const rest = stageOptions(config, 20, 4).startToCloseTimeout;
      expect([staged, rest]).toEqual(['260 seconds', '370 seconds']);
      stages.forEach((input, i) => {
        expect(stubs.stageTimeoutsMs[i]).toBe((input.stage === 'staged' ? 260 : 370) * 1000);
      });
    });
  },
);

test.concurrent('the evaluation plan is made while the parent is selected and rewritten', async () => {
  await env.run({}, async ({ start, stubs }) => {
    const { handle } = await start({ budget: { generations: 1 } });
    await handle.result();

    const order = stubs.calls.map((c) => c.name);
    const meta = order.indexOf('selfModify');
    const plans = order.flatMap((name, i) => (name === 'planEvaluation' ? [i] : []));
    // Generation 0's plan, then generation 1's, scheduled with its selection, before its meta agent.
    expect(plans).toHaveLength(2);
    expect(plans[1]).toBeLessThan(meta);
    expect(order.indexOf('evaluateStage', meta)).toBeGreaterThan(meta);
  });
});
