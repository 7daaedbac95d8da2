import { finalScore, passesGate, stagedPlan } from '../../src/evaluation';
import { rngFor } from '../../src/selection';

const ids = Array.from({ length: 100 }, (_, i) => `t${String(i).padStart(3, '0')}`);

/** Returns the given numbers in turn. */
const fixed = (...values: number[]) => ({ next: () => values.shift()! });

describe('stagedPlan', () => {
  test('10 distinct ids of the split by default, in split order, same seed → same subset', () => {
    const plan = stagedPlan(ids, undefined, rngFor('run', 1, 'staged:alpha'));
    expect(plan).toHaveLength(10);
    expect(new Set(plan).size).toBe(10);
    expect(plan.every((id) => ids.includes(id))).toBe(true);
    expect([...plan].sort()).toEqual(plan);
    expect(stagedPlan(ids, 10, rngFor('run', 1, 'staged:alpha'))).toEqual(plan);
    expect(stagedPlan(ids, 10, rngFor('run', 2, 'staged:alpha'))).not.toEqual(plan);
  });

  test('partial Fisher-Yates by hand', () => {
    // ids a..e, k = 2. Step 0: j = 0 + floor(0.5 × 5) = 2 → order [2,1,0,3,4].
    // Step 1: j = 1 + floor(0.99 × 4) = 4 → order [2,4,0,3,1]. Take {2, 4} → in split order: c, e.
    expect(stagedPlan(['a', 'b', 'c', 'd', 'e'], 2, fixed(0.5, 0.99))).toEqual(['c', 'e']);
  });

  test('a split no larger than the sample is taken whole without drawing', () => {
    const noDraws = {
      next: (): number => {
        throw new Error('drew');
      },
    };
    expect(stagedPlan(['a', 'b', 'c'], 10, noDraws)).toEqual(['a', 'b', 'c']);
    expect(stagedPlan(['a', 'b', 'c'], 3, noDraws)).toEqual(['a', 'b', 'c']);
  });

  test('each task is equally likely to be staged', () => {
    // 2000 plans of 10 out of 100: each id expected 2000 × 10/100 = 200 times (sd ≈ 13.4).
    const rng = rngFor('uniform-staging', 0);
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++)
      for (const id of stagedPlan(ids, 10, rng)) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of ids) expect(Math.abs((counts.get(id) ?? 0) - 200)).toBeLessThan(70);
  });

  test('refuses a bad sample size or duplicate ids', () => {
    expect(() => stagedPlan(ids, 0, fixed())).toThrow(/sample size/);
    expect(() => stagedPlan(ids, 2.5, fixed())).toThrow(/sample size/);
    expect(() => stagedPlan(['a', 'a'], 1, fixed())).toThrow(/unique/);
  });
});

describe('passesGate', () => {
  test('strictly greater than the gate (default 0)', () => {
    expect(passesGate(0)).toBe(false);
    expect(passesGate(0.1)).toBe(true);
    expect(passesGate(0.5, 0.5)).toBe(false);
    expect(passesGate(0.51, 0.5)).toBe(true);
    expect(passesGate(NaN)).toBe(false);
  });
});

describe('finalScore', () => {
  test('with a full evaluation: the full score', () => {
    expect(
      finalScore({
        staged: { score: 0.9, evaluated: 10 },
        full: { score: 0.42, evaluated: 100 },
        splitSize: 100,
      }),
    ).toEqual({
      score: 0.42,
      basis: 'full',
    });
  });

  test('without one: staged mean × n_staged / n_split', () => {
    // 0.6 × 10 / 100 = 0.06
    expect(finalScore({ staged: { score: 0.6, evaluated: 10 }, splitSize: 100 }).score).toBeCloseTo(0.06, 12);
    // 0.5 × 10 / 40 = 0.125
    expect(finalScore({ staged: { score: 0.5, evaluated: 10 }, splitSize: 40 })).toEqual({
      score: 0.125,
      basis: 'staged-scaled',
    });
    // The staged subset was the whole split: factor 1.
    expect(finalScore({ staged: { score: 0.7, evaluated: 8 }, splitSize: 8 }).score).toBe(0.7);
  });

  test('refuses impossible sizes', () => {
    expect(() => finalScore({ staged: { score: 0.5, evaluated: 11 }, splitSize: 10 })).toThrow(/11 staged/);
    expect(() => finalScore({ staged: { score: 0.5, evaluated: 1 }, splitSize: 0 })).toThrow(/split size/);
  });
});
