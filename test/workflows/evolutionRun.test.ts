import { temporal } from '@temporalio/proto';
import { failureOf, Gate, nodeId, WorkflowTestEnv } from './harness';
import { statusQuery } from '../../workflows/messages';

/**
 * The run loop of evolutionRun/generationWorkflow with stub activities: how many generations run,
 * in what order and how many at once, what they are given, what ends the run, and what it reports.
 * The tests run concurrently: each has its own runs and stubs, and most of their time is waiting for
 * the server.
 */
let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await WorkflowTestEnv.create();
});
afterAll(() => env.close());

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

test.concurrent(
  'a run of N generations makes the start node once, each generation once, and ends with the budget reason',
  async () => {
    await env.run({}, async ({ start, stubs }) => {
      const { handle } = await start({ budget: { generations: 3 } });
      const result = await handle.result();

      expect(result.stopReason).toBe('generation budget reached (3)');
      expect(result.generationsDone).toBe(3);
      expect(result.failures).toBe(0);
      expect(stubs.inputs('createStartNode')).toHaveLength(1);
      expect(sorted(stubs.inputs('selfModify').map((i) => i.generation))).toEqual([1, 2, 3]);
      // Each child comes from the parent selectParent chose for its generation.
      for (const i of stubs.inputs('selfModify')) expect(i.parentId).toBe(nodeId(i.generation - 1));
      // Every node, the start node included, is evaluated on each domain and finalized exactly once.
      const finalized = stubs.inputs('finalizeNode').map((i) => i.nodeId);
      expect([...finalized].sort()).toEqual([0, 1, 2, 3].map(nodeId));
      const evaluated = stubs.inputs('evaluateStage').map((i) => `${i.nodeId}/${i.domain}`);
      expect(new Set(evaluated).size).toBe(4 * 2);
      // Scores rise with the generation (stub default), so the last one is the best.
      expect(result.bestNodeId).toBe(nodeId(3));
      expect(result.bestScore).toBeCloseTo(0.13);
      expect(result.startNodeId).toBe(nodeId(0));
      // testAtEnd is off in these runs: no held-out evaluation.
      expect(stubs.inputs('evaluateTestSplit')).toEqual([]);
    });
  },
);

test.concurrent('with parallelism 3, three generations run at the same time', async () => {
  const gate = new Gate();
  await env.run({ hold: (g) => (g <= 3 ? gate : undefined) }, async ({ start, stubs, waitFor }) => {
    const { handle } = await start({ budget: { generations: 4 }, parallelism: 3 });
    // Generations 1-3 are held in selfModify: a sequential loop would never show them all running.
    const s = await waitFor(
      handle,
      'generations 1, 2 and 3 running at once',
      (st) => st.running.length === 3 && stubs.maxConcurrentMeta === 3,
    );
    expect(sorted(s.running)).toEqual([1, 2, 3]);
    // The fourth waits for a free slot.
    expect(stubs.inputs('selfModify').map((i) => i.generation)).not.toContain(4);
    gate.open();
    const result = await handle.result();
    expect(result.generationsDone).toBe(4);
    expect(stubs.maxConcurrentMeta).toBe(3);
  });
});

test.concurrent(
  'continue-as-new carries the state on: generation 0 is not made again and best and spend survive',
  async () => {
    await env.run(
      // Generation 1 is the best of the run and every generation costs $0.25: both must survive.
      { score: (g) => (g === 1 ? 0.9 : 0.2), metaUsd: () => 0.25 },
      async ({ start, stubs, client }) => {
        const { runId, handle } = await start({ budget: { generations: 3 }, continueAsNewEvery: 1 });
        const result = await handle.result();

        // The first execution ended by continuing as new (the chain was followed to the result).
        const first = await client.workflow.getHandle(runId, handle.firstExecutionRunId).fetchHistory();
        const last = first.events?.at(-1);
        expect(last?.eventType).toBe(
          temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
        );

        expect(stubs.inputs('createStartNode')).toHaveLength(1);
        expect(sorted(stubs.inputs('selfModify').map((i) => i.generation))).toEqual([1, 2, 3]);
        expect(result.generationsDone).toBe(3);
        expect(result.startNodeId).toBe(nodeId(0));
        expect(result.bestNodeId).toBe(nodeId(1));
        expect(result.spentUsd).toBeCloseTo(0.75);
        expect(result.stopReason).toBe('generation budget reached (3)');
      },
    );
  },
);

test.concurrent('a failing generation counts as a failure and the run goes on', async () => {
  await env.run(
    { fail: (g) => (g === 2 ? 'the meta agent crashed (stub)' : undefined) },
    async ({ start, stubs }) => {
      const { handle } = await start({ budget: { generations: 4 } });
      const result = await handle.result();

      expect(result.failures).toBe(1);
      expect(result.generationsDone).toBe(4);
      expect(sorted(stubs.inputs('selfModify').map((i) => i.generation))).toEqual([1, 2, 3, 4]);
      // The failed generation stored nothing; the others were finalized.
      expect(
        stubs
          .inputs('finalizeNode')
          .map((i) => i.nodeId)
          .sort(),
      ).toEqual([0, 1, 3, 4].map(nodeId));
      expect(result.stopReason).toBe('generation budget reached (4)');
    },
  );
});

test.concurrent('a start node that cannot be made fails the run with its reason', async () => {
  await env.run({ failStart: 'start node does not exist (stub)' }, async ({ start, stubs }) => {
    const { handle } = await start({ budget: { generations: 3 } });
    expect(await failureOf(handle.result())).toMatch(/start node does not exist \(stub\)/);
    expect(stubs.inputs('selfModify')).toEqual([]);
  });
});

test.concurrent('the USD budget stops the run, and each generation is told what is left', async () => {
  await env.run({ metaUsd: () => 0.1 }, async ({ start, stubs }) => {
    const { handle } = await start({ budget: { generations: 100, usd: 0.25 } });
    const result = await handle.result();

    expect(result.stopReason).toMatch(/^USD budget reached/);
    expect(result.generationsDone).toBe(3);
    expect(result.spentUsd).toBeCloseTo(0.3);
    const left = stubs
      .inputs('selfModify')
      .sort((a, b) => a.generation - b.generation)
      .map((i) => i.budgetLeft.usd);
    expect(left).toHaveLength(3);
    [0.25, 0.15, 0.05].forEach((usd, k) => expect(left[k]).toBeCloseTo(usd));
  });
});

test.concurrent(
  'the token budget stops the run, counting the start node, and evaluation is told what is left',
  async () => {
    // 50 tokens per domain: 100 per node over the two domains, the start node's evaluation included.
    await env.run({ evalTokens: () => 50 }, async ({ start, stubs }) => {
      const { handle } = await start({ budget: { generations: 100, tokens: 250 } });
      const result = await handle.result();

      expect(result.stopReason).toBe('token budget reached (300 of 250)');
      expect(result.generationsDone).toBe(2);
      // Generation 1 starts with 150 left; its two domains, evaluated side by side, are told half each.
      const gen1 = stubs
        .inputs('evaluateStage')
        .filter((i) => i.nodeId === nodeId(1) && i.stage === 'staged' && i.split === 'train');
      expect(gen1.map((i) => i.budgetLeft?.tokens)).toEqual([75, 75]);
    });
  },
);

test.concurrent('the wall-clock budget stops the run', async () => {
  await env.run({}, async ({ start, stubs }) => {
    // 3.6 ms: over as soon as the start node is in, long before 1000 generations could run.
    const { handle } = await start({ budget: { generations: 1000, wallClockHours: 1e-6 } });
    const result = await handle.result();

    expect(result.stopReason).toBe('wall-clock budget reached (0.000001 h)');
    expect(result.generationsDone).toBeLessThan(1000);
    expect(stubs.inputs('selfModify').length).toBeLessThan(1000);
  });
});

test.concurrent(
  'at the end the start node and the best are evaluated on the test split and reported',
  async () => {
    const scores: Record<number, number> = { 0: 0.2, 1: 0.5, 2: 0.9, 3: 0.4 };
    const test: Record<number, number> = { 0: 0.3, 2: 0.8 };
    await env.run({ score: (g) => scores[g]!, testScore: (g) => test[g] ?? 0 }, async ({ start, stubs }) => {
      const { handle } = await start({ budget: { generations: 3 }, testAtEnd: true });
      const result = await handle.result();

      expect(stubs.inputs('evaluateTestSplit').map((i) => [...i.nodeIds].sort())).toEqual([
        [nodeId(0), nodeId(2)],
      ]);
      const { impAtK, ...report } = result.test!;
      expect(report).toEqual({
        startNodeId: nodeId(0),
        bestNodeId: nodeId(2),
        start: { alpha: 0.3, beta: 0.3 },
        best: { alpha: 0.8, beta: 0.8 },
        k: 3,
      });
      expect(impAtK).toBeCloseTo(0.5);
    });
  },
);

test.concurrent(
  'the held-out test evaluation is metered: it gets what the run has left and its cost counts',
  async () => {
    await env.run({ metaUsd: () => 0.25, testUsd: 0.5 }, async ({ start, stubs }) => {
      const { handle } = await start({ budget: { generations: 2, usd: 10 }, testAtEnd: true });
      const result = await handle.result();

      // Two generations at $0.25 each were spent before the test split: it may use the remaining $9.50.
      expect(stubs.inputs('evaluateTestSplit').map((i) => i.budgetLeft)).toEqual([{ usd: 9.5 }]);
      expect(result.spentUsd).toBeCloseTo(0.25 * 2 + 0.5);
    });
  },
);

test.concurrent('a budget refusal during evaluation stops the run cleanly with the reason', async () => {
  const refusal =
    'run USD budget exceeded: limit $1.0000, spent $0.9990, in flight $0.0000, this call needs up to $0.0100';
  await env.run({ evalRefusal: (g) => (g === 2 ? refusal : undefined) }, async ({ start, stubs }) => {
    const { handle } = await start({ budget: { generations: 10 } });
    const result = await handle.result();

    expect(result.stopReason).toBe(`LLM budget exhausted during evaluation of ${nodeId(2)}: ${refusal}`);
    expect(result.generationsDone).toBe(2);
    expect(stubs.inputs('selfModify').map((i) => i.generation)).toEqual([1, 2]);
  });
});

test.concurrent(
  'parallel generations share the budget: together they are never given more than is left',
  async () => {
    const gate = new Gate();
    await env.run({ hold: (g) => (g <= 4 ? gate : undefined) }, async ({ start, stubs, waitFor }) => {
      const { handle } = await start({ budget: { generations: 4, usd: 10, tokens: 1000 }, parallelism: 4 });
      await waitFor(handle, 'four meta agents running', () => stubs.maxConcurrentMeta === 4);
      const given = stubs.inputs('selfModify').map((i) => i.budgetLeft);
      expect(given).toHaveLength(4);
      expect(given.reduce((sum, b) => sum + (b.usd ?? 0), 0)).toBeCloseTo(10, 9);
      expect(given.reduce((sum, b) => sum + (b.tokens ?? 0), 0)).toBeLessThanOrEqual(1000);
      gate.open();
      await handle.result();
    });
  },
);

test.concurrent(
  'spend is reconciled with the call logs: retried attempts and failed generations count',
  async () => {
    await env.run(
      {
        metaUsd: () => 0.1,
        fail: (g) => (g === 2 ? 'the meta agent session was lost' : undefined),
        // Generation 1 spent 0.4 in the logs (a retried attempt), though its result reports 0.1.
        loggedUsd: (g, scope) =>
          scope !== 'generation'
            ? undefined
            : g === 1
              ? { costUsd: 0.4, tokens: 40 }
              : g === 2
                ? { costUsd: 0.3, tokens: 30 }
                : undefined,
      },
      async ({ start }) => {
        const { handle } = await start({ budget: { generations: 3, usd: 100 } });
        const result = await handle.result();
        expect(result.failures).toBe(1);
        // gen 1: 0.4 logged; gen 2 failed: 0.3 logged; gen 3: 0.1 reported.
        expect(result.spentUsd).toBeCloseTo(0.8, 9);
        expect(result.spentTokens).toBe(70);
      },
    );
  },
);

test.concurrent(
  'a budget refusal during self-modification stops the run, and the cut-short child is not evaluated',
  async () => {
    const refusal = 'run token budget exceeded: limit 1000 tokens, spent 990 tokens';
    await env.run({ metaRefusal: (g) => (g === 2 ? refusal : undefined) }, async ({ start, stubs }) => {
      const { handle } = await start({ budget: { generations: 10 } });
      const result = await handle.result();
      expect(result.stopReason).toBe(
        `LLM budget exhausted during self-modification of ${nodeId(2)}: ${refusal}`,
      );
      expect(stubs.inputs('evaluateStage').map((i) => i.nodeId)).not.toContain(nodeId(2));
      expect(stubs.inputs('selfModify').map((i) => i.generation)).toEqual([1, 2]);
    });
  },
);

test.concurrent(
  "every generation is told the archive's change log (through continue-as-new), and selection and the meta agent get it",
  async () => {
    await env.run(
      { fail: (g) => (g === 2 ? 'the meta agent crashed (stub)' : undefined) },
      async ({ start, stubs }) => {
        const { handle } = await start({ budget: { generations: 4 }, continueAsNewEvery: 2 });
        await handle.result();
        const selections = stubs.inputs('selectParent').sort((a, b) => a.generation - b.generation);
        expect(selections.map((s) => s.generation)).toEqual([1, 2, 3, 4]);
        const logs = selections.map((s) => s.archive!);
        // One epoch for the whole run; each generation sees the one before it logged (serial run).
        expect(new Set(logs.map((l) => l.epoch)).size).toBe(1);
        expect(logs.map((l) => l.revision)).toEqual([1, 2, 3, 4]);
        expect(logs[0]!.changes).toEqual([[1, [nodeId(0)]]]);
        expect(logs[1]!.changes.at(-1)).toEqual([2, [nodeId(1), nodeId(0)]]);
        // Generation 2 failed: what it wrote is unknown, so the next reader reads the run whole.
        expect(logs[3]!.changes.at(-1)).toEqual([4, [nodeId(3), nodeId(2)]]);
        expect(logs[2]!.changes.at(-1)).toEqual([3, null]);
        expect(logs.every((l) => l.inFlight.length === 0)).toBe(true);
        // selfModify is told the same log as its generation's selection.
        for (const m of stubs.inputs('selfModify'))
          expect(m.archive).toEqual(selections.find((s) => s.generation === m.generation)!.archive);
        // The run's status does not show it.
        expect(await handle.query(statusQuery)).not.toHaveProperty('archive');
      },
    );
  },
);
