import {
  METHOD_POLICIES,
  rngFor,
  selectParent,
  SelectionError,
  SELECTION_POLICIES,
  type Candidate,
} from '../../src/selection';
import { fixedRng, nodes, snapshot } from './fixtures';

/*
 * Hand computation on the fixture (a: A 0.2, B 0.5, C 0.8, D 0.6; n: A 3, B 1, C 0, D 8).
 *
 * score_child_prop: top-3 scores 0.8, 0.6, 0.5 → m = 1.9 / 3 = 0.633333…
 *   A: sigmoid(10·(0.2 − 0.63333)) = sigmoid(−4.33333) = 0.0129537; exp(−(3/8)^3) = exp(−0.0527344) = 0.948632
 *      w = 0.0122883
 *   B: sigmoid(−1.33333) = 0.208609; exp(−(1/8)^3) = exp(−0.00195313) = 0.998049 → w = 0.208201
 *   C: sigmoid(+1.66667) = 0.841131; exp(0) = 1                                   → w = 0.841131
 *   D: sigmoid(−0.33333) = 0.417430; exp(−(8/8)^3) = e^−1 = 0.367879             → w = 0.153564
 *   sum = 1.215185 → P = A 0.0101123, B 0.171333, C 0.692184, D 0.126371
 *
 * score_prop (the paper's: score_child_prop without the children term): w = sigmoid(10·(a − m))
 *   A 0.0129537, B 0.208609, C 0.841131, D 0.417430; sum = 1.480123
 *   → P = A 0.008752, B 0.140940, C 0.568284, D 0.282024
 *
 * dgm: sigmoid(10·(a − 0.5)) / (1 + n)
 *   A: sigmoid(−3) / 4 = 0.0474259 / 4 = 0.0118565
 *   B: sigmoid(0) / 2  = 0.5 / 2       = 0.25
 *   C: sigmoid(3) / 1  = 0.952574
 *   D: sigmoid(1) / 9  = 0.731059 / 9  = 0.0812287
 *   sum = 1.295659 → P = A 0.00915091, B 0.192952, C 0.735204, D 0.0626930
 */
const expected: Record<string, Record<string, number>> = {
  score_child_prop: { A: 0.0101123, B: 0.171333, C: 0.692184, D: 0.126371 },
  score_prop: { A: 0.008752, B: 0.14094, C: 0.568284, D: 0.282024 },
  dgm: { A: 0.00915091, B: 0.192952, C: 0.735204, D: 0.062693 },
  random: { A: 0.25, B: 0.25, C: 0.25, D: 0.25 },
  best: { A: 0, B: 0, C: 1, D: 0 },
  latest: { A: 0, B: 0, C: 0, D: 1 },
};

describe('probabilities of each policy on the fixture', () => {
  test.each(Object.keys(expected))('%s', (name) => {
    const result = selectParent(name, snapshot, rngFor('probabilities', 1));
    expect(Object.keys(result.probabilities).sort()).toEqual(['A', 'B', 'C', 'D']); // E is ineligible
    for (const [id, p] of Object.entries(expected[name]!)) expect(result.probabilities[id]).toBeCloseTo(p, 5);
    expect(result.policy).toBe(name);
    expect(result.fallback).toBeUndefined();
  });

  test('every built-in policy is covered above', () => {
    expect([...SELECTION_POLICIES].sort()).toEqual(Object.keys(expected).sort());
  });
});

describe('where the draw lands', () => {
  // score_prop cumulative over snapshot order: A 0.0088, +B 0.1497, +C 0.7180, +D 1.
  test.each([
    [0.005, 'A'],
    [0.1, 'B'],
    [0.5, 'C'],
    [0.9, 'D'],
  ])('score_prop with u = %s picks %s', (u, id) => {
    expect(selectParent('score_prop', snapshot, fixedRng(u)).nodeId).toBe(id);
  });
});

describe('seeded draws', () => {
  test('same seed and generation → same pick; the stream differs across generations', () => {
    const picks = (generation: number) =>
      Array.from(
        { length: 40 },
        (_, i) => selectParent('random', snapshot, rngFor(`run-${i}`, generation)).nodeId,
      );
    expect(picks(3)).toEqual(picks(3));
    expect(picks(4)).not.toEqual(picks(3));
  });

  test.each(['score_child_prop', 'dgm', 'score_prop'])(
    '%s: frequencies over 20k draws match the probabilities',
    (name) => {
      const rng = rngFor('frequency', 0);
      const counts: Record<string, number> = { A: 0, B: 0, C: 0, D: 0, E: 0 };
      const draws = 20_000;
      for (let i = 0; i < draws; i++) counts[selectParent(name, snapshot, rng).nodeId]! += 1;
      // The sd of a frequency is at most sqrt(0.25 / 20000) ≈ 0.0035; 0.012 is more than 3 sd.
      for (const [id, p] of Object.entries(expected[name]!))
        expect(Math.abs(counts[id]! / draws - p)).toBeLessThan(0.012);
      expect(counts.E).toBe(0);
    },
  );
});

describe('edge cases', () => {
  const only = (...ids: string[]) => ({
    domains: snapshot.domains,
    candidates: nodes.filter((n) => ids.includes(n.id)),
  });

  test('an empty archive and an archive without eligible nodes are errors that say so', () => {
    expect(() => selectParent('best', { domains: ['alpha'], candidates: [] }, fixedRng(0.5))).toThrow(
      /archive is empty/,
    );
    expect(() => selectParent('score_child_prop', only('E'), fixedRng(0.5))).toThrow(SelectionError);
    expect(() => selectParent('score_child_prop', only('E'), fixedRng(0.5))).toThrow(
      /all 1 node\(s\) are ineligible/,
    );
  });

  test('an unknown policy name is refused with the list of known ones', () => {
    expect(() => selectParent('greedy', snapshot, fixedRng(0.5))).toThrow(
      /unknown selection policy 'greedy'.*score_child_prop/,
    );
  });

  test('a node marked eligible but missing a domain score is a caller bug, reported by id and domain', () => {
    const broken: Candidate = {
      id: 'X',
      generation: 5,
      childCount: 0,
      eligible: true,
      scores: { alpha: { val: 0.5 } },
    };
    expect(() =>
      selectParent('random', { domains: ['alpha', 'beta'], candidates: [broken] }, fixedRng(0.5)),
    ).toThrow(/'X'.*beta/);
  });

  test('duplicate ids and negative child counts are refused', () => {
    expect(() =>
      selectParent(
        'random',
        { domains: snapshot.domains, candidates: [nodes[0]!, nodes[0]!] },
        fixedRng(0.5),
      ),
    ).toThrow(/twice/);
    const bad = { ...nodes[0]!, childCount: -1 };
    expect(() =>
      selectParent('random', { domains: snapshot.domains, candidates: [bad] }, fixedRng(0.5)),
    ).toThrow(/child count/);
  });

  test('score_child_prop with so many children that every weight underflows draws uniformly, and says so', () => {
    // exp(−(80/8)^3) = exp(−1000) = 0 in double precision.
    const crowded = nodes.slice(0, 2).map((n) => ({ ...n, childCount: 80 }));
    const result = selectParent(
      'score_child_prop',
      { domains: snapshot.domains, candidates: crowded },
      fixedRng(0.1),
    );
    expect(result.probabilities).toEqual({ A: 0.5, B: 0.5 });
    expect(result.nodeId).toBe('A'); // u = 0.1 × 2 = 0.2 < 1
    expect(result.fallback).toMatch(/all weights are zero.*uniformly/);
  });

  test('fewer than 3 eligible nodes: the midpoint is the mean of those present', () => {
    // A (0.2, n 3) and B (0.5, n 1): m = 0.35.
    // A: sigmoid(10·(0.2 − 0.35)) = sigmoid(−1.5) = 0.182426 × 0.948632 = 0.173055
    // B: sigmoid(+1.5) = 0.817574 × 0.998049 = 0.815979 → P(A) = 0.173055 / 0.989034 = 0.174974
    const result = selectParent('score_child_prop', only('A', 'B'), fixedRng(0.5));
    expect(result.probabilities.A).toBeCloseTo(0.174974, 5);
    // One node: m = a, sigmoid(0) · penalty > 0 → P = 1.
    expect(selectParent('score_child_prop', only('D'), fixedRng(0.5)).probabilities).toEqual({ D: 1 });
  });

  test('best: ties go to the lowest generation, then to snapshot order', () => {
    const tie = (id: string, generation: number): Candidate => ({
      id,
      generation,
      childCount: 0,
      eligible: true,
      scores: { alpha: { train: 0.7 } },
    });
    const snap = { domains: ['alpha'], candidates: [tie('late', 6), tie('first', 2), tie('second', 2)] };
    expect(selectParent('best', snap, fixedRng(0.99)).nodeId).toBe('first');
  });

  test('latest ignores scores and ineligible newer nodes', () => {
    // E has generation 4 but is ineligible; D (generation 3, not the best) is the latest eligible.
    expect(selectParent('latest', snapshot, fixedRng(0.01)).nodeId).toBe('D');
  });
});

describe('methods', () => {
  test('each ablation maps to its selection rule', () => {
    expect(METHOD_POLICIES).toEqual({
      'dgm-h': 'score_child_prop',
      'no-self-improve': 'score_child_prop',
      'no-open-ended': 'latest',
      dgm: 'dgm',
    });
  });
});

describe('with no eligible node', () => {
  const failedChild: Candidate = { id: 'F', generation: 1, childCount: 0, eligible: false, scores: {} };
  const barredRoot: Candidate = { id: 'R', generation: 0, childCount: 1, eligible: false, scores: {} };

  test.each(SELECTION_POLICIES)(
    '%s takes the start node, recorded as a fallback, and draws nothing',
    (name) => {
      let draws = 0;
      const rng = { next: () => (draws++, 0.5), uint32: () => (draws++, 0) };
      const result = selectParent(
        name,
        { domains: ['alpha'], candidates: [barredRoot, failedChild] },
        rng as never,
      );
      expect(result).toEqual({
        policy: name,
        nodeId: 'R',
        probabilities: { R: 1 },
        fallback: 'no eligible node among 2: took the start node R',
      });
      expect(draws).toBe(0);
    },
  );

  test('without a start node in the snapshot it is still an error', () => {
    expect(() =>
      selectParent('score_child_prop', { domains: ['alpha'], candidates: [failedChild] }, fixedRng(0.5)),
    ).toThrow(/all 1 node\(s\) are ineligible/);
  });
});
