import { selectionSnapshotOf } from '../../src/archive';
import { rngFor, selectParent } from '../../src/selection';
import { freshRunId, full, makeNode } from './fixtures';

/** The pure view that parent selection reads, over records as the archive lists them. */

test('selectionSnapshot: eligibility per ARCHITECTURE, val preferred, child counts, test never used', () => {
  const runId = freshRunId();
  const both = (a: number, b: number) => ({
    alpha: { train: full(0.1), val: full(a) },
    beta: { train: full(b) },
  });
  const nodes = [
    makeNode(runId, 0, null, both(0.2, 0.2)), // root: empty patch by nature, eligible
    makeNode(runId, 1, 0, both(0.5, 0.5)), // eligible
    makeNode(runId, 2, 0, both(0.9, 0.9), { patchEmpty: true, changedPaths: [] }), // empty patch
    makeNode(runId, 3, 1, both(0.9, 0.9), { validation: { passed: false, reasons: ['import failed'] } }),
    makeNode(runId, 4, 1, { alpha: { val: full(0.9) } }), // no beta score
    makeNode(runId, 5, 1, both(0.9, 0.9), { barred: true, barredReason: 'meta agent timed out' }),
    makeNode(runId, 6, 1, both(0.9, 0.9), { approval: { status: 'pending' } }),
    makeNode(runId, 7, 1, both(0.9, 0.9), { approval: { status: 'rejected', note: 'no' } }),
    makeNode(runId, 8, 1, both(0.7, 0.3), { approval: { status: 'approved' } }), // eligible
    makeNode(runId, 9, 8, { alpha: { test: full(1) }, beta: { test: full(1) } }), // test only: no score
  ];
  const snap = selectionSnapshotOf(nodes, ['alpha', 'beta']);
  expect(snap.domains).toEqual(['alpha', 'beta']);
  expect(snap.candidates.map((c) => [c.id, c.eligible, c.childCount])).toEqual([
    ['gen-00000', true, 2],
    ['gen-00001', true, 6], // children 3, 4, 5, 6, 7, 8
    ['gen-00002', false, 0],
    ['gen-00003', false, 0],
    ['gen-00004', false, 0],
    ['gen-00005', false, 0],
    ['gen-00006', false, 0],
    ['gen-00007', false, 0],
    ['gen-00008', true, 1],
    ['gen-00009', false, 0],
  ]);
  expect(snap.candidates[8]!.scores).toEqual({ alpha: { train: 0.1, val: 0.7 }, beta: { train: 0.3 } });
  expect(snap.candidates[9]!.scores).toEqual({ alpha: {}, beta: {} });

  // The snapshot feeds `selection` as is. a_i = mean of val (alpha) and train (beta): gen-0 0.2,
  // gen-1 0.5, gen-8 (0.7 + 0.3) / 2 = 0.5; m = 0.4, score_prop w = sigmoid(10·(a − m)):
  // sigmoid(−2) = 0.119203, sigmoid(1) = 0.731059 twice; sum 1.581321 → P 0.075382, 0.462309, 0.462309.
  const result = selectParent('score_prop', snap, rngFor('seed', 1));
  expect(Object.keys(result.probabilities).sort()).toEqual(['gen-00000', 'gen-00001', 'gen-00008']);
  expect(result.probabilities['gen-00000']).toBeCloseTo(0.075382, 6);
  expect(result.probabilities['gen-00001']).toBeCloseTo(0.462309, 6);
});
