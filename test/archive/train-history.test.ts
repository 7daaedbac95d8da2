import { trainHistoryOf, type SplitScore } from '../../src/archive';
import { freshRunId, full, makeNode } from './fixtures';

/** The pure view the meta agent is given, over records as the archive lists them. */

/** Distinctive numbers that appear nowhere but in val/test scores (and their counts). */
const PLANTED_VAL = [0.7318264, 0.4102957, 0.9183746];
const PLANTED_TEST = [0.8362519, 0.2947163, 0.5551973];
const PLANTED_COUNTS = [8675, 30911];

function scored(score: number, reportKey: string, evaluated = PLANTED_COUNTS[0]!): SplitScore {
  return { score, basis: 'staged-scaled', evaluated, total: PLANTED_COUNTS[1]!, reportKey };
}

test('trainHistory holds train scores only: no planted val/test value, count or report key', () => {
  const runId = freshRunId();
  const nodes = [0, 1, 2].map((g) => {
    const train = full([0.125, 0.25, 0.375][g]!);
    const reports = (split: string) => `runs/${runId}/reports/gen-0000${g}/alpha-${split}-SECRETREPORT.json`;
    return makeNode(
      runId,
      g,
      g === 0 ? null : g - 1,
      {
        alpha: {
          train: { ...train, reportKey: reports('train') },
          val: scored(PLANTED_VAL[g]!, reports('val')),
          test: scored(PLANTED_TEST[g]!, reports('test')),
        },
        beta: { val: scored(PLANTED_VAL[g]! / 2, reports('bval')) },
      },
      { validation: { passed: g !== 1, reasons: g === 1 ? ['expected label LABEL-SECRET-42, got 7'] : [] } },
    );
  });
  const history = trainHistoryOf(nodes, 'gen-00002', ['alpha', 'beta']);
  const text = JSON.stringify(history);

  for (const v of [...PLANTED_VAL, ...PLANTED_TEST, ...PLANTED_VAL.map((v) => v / 2), ...PLANTED_COUNTS]) {
    expect(text).not.toContain(String(v));
  }
  for (const secret of ['SECRETREPORT', 'reportKey', 'LABEL-SECRET-42', '"val"', '"test"', 'staged-scaled']) {
    expect(text).not.toContain(secret);
  }

  // What it does hold, exactly.
  expect(history.lineage).toEqual(['gen-00000', 'gen-00001', 'gen-00002']);
  expect(history.nodes.map((n) => n.train)).toEqual([
    { alpha: 0.375, beta: null },
    { alpha: 0.25, beta: null },
    { alpha: 0.125, beta: null },
  ]);
  expect(history.nodes[1]).toEqual({
    id: 'gen-00001',
    parentId: 'gen-00000',
    generation: 1,
    changedPaths: ['task_agent.mjs'],
    patchEmpty: false,
    metaChanged: false,
    valid: false,
    childCount: 1,
    inLineage: true,
    train: { alpha: 0.25, beta: null },
  });

  // The records themselves do hold the planted values, so the absence above is the filter's doing.
  const raw = JSON.stringify(nodes);
  for (const v of [...PLANTED_VAL, ...PLANTED_TEST]) expect(raw).toContain(String(v));

  expect(() => trainHistoryOf(nodes, 'gen-00042', ['alpha'])).toThrow(/gen-00042/);
});

test("with scope 'parent' (no open-ended exploration) only the parent's own results are shown", () => {
  const runId = freshRunId();
  const nodes = [0, 1, 2, 3].map((g) =>
    makeNode(runId, g, g === 0 ? null : g - 1, { alpha: { train: full(g / 10) } }),
  );
  const history = trainHistoryOf(nodes, 'gen-00003', ['alpha'], 'parent');
  expect(history.lineage).toEqual(['gen-00003']);
  expect(history.nodes.map((n) => [n.id, n.train])).toEqual([['gen-00003', { alpha: 0.3 }]]);
  expect(trainHistoryOf(nodes, 'gen-00003', ['alpha']).nodes).toHaveLength(4);
});

test('the summary lists the lineage first (the node, its parent, ... the root), then the others newest first', () => {
  const runId = freshRunId();
  // gen-1 and gen-2 branch from the root; gen-3 from gen-1; gen-4 from gen-2; gen-5 from gen-3.
  const parents = [null, 0, 0, 1, 2, 3];
  const nodes = parents.map((p, g) => makeNode(runId, g, p, { alpha: { train: full(g / 10) } }));
  const history = trainHistoryOf(nodes, 'gen-00003', ['alpha']);
  expect(history.nodes.map((n) => [n.id, n.inLineage])).toEqual([
    ['gen-00003', true],
    ['gen-00001', true],
    ['gen-00000', true],
    ['gen-00005', false],
    ['gen-00004', false],
    ['gen-00002', false],
  ]);
  expect(history.lineage).toEqual(['gen-00000', 'gen-00001', 'gen-00003']);
});
