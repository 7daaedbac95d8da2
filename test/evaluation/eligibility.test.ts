import {
  eligibility,
  meanRankingScore,
  rankingScore,
  trainScoresOf,
  type EligibilityInput,
} from '../../src/evaluation';

const domains = ['alpha', 'beta'];
const good: EligibilityInput = {
  parentId: 'root',
  patchEmpty: false,
  validationPassed: true,
  scores: { alpha: { train: 0.5 }, beta: { val: 0 } },
};

describe('eligibility', () => {
  test('a valid, scored child with a non-empty patch is eligible (a score of 0 is a score)', () => {
    expect(eligibility(good, domains)).toEqual({ eligible: true, reasons: [] });
  });

  test.each<[string, Partial<EligibilityInput>, string]>([
    ['empty patch', { patchEmpty: true }, 'empty patch'],
    ['failed validation', { validationPassed: false }, 'failed validation'],
    ['a domain without a score', { scores: { alpha: { train: 0.5 } } }, 'no score in: beta'],
    ['a NaN score', { scores: { alpha: { train: NaN }, beta: { val: 0.1 } } }, 'no score in: alpha'],
    ['barred', { barred: 'meta agent timed out' }, 'barred: meta agent timed out'],
    [
      'an incomplete evaluation',
      { incomplete: ['beta/val: 2 LLM call(s) refused: run USD budget exceeded'] },
      'evaluation incomplete: beta/val: 2 LLM call(s) refused: run USD budget exceeded',
    ],
  ])('%s makes a node ineligible', (_, change, reason) => {
    expect(eligibility({ ...good, ...change }, domains)).toEqual({ eligible: false, reasons: [reason] });
  });

  test('every broken rule is reported', () => {
    const worst: EligibilityInput = {
      parentId: 'p',
      patchEmpty: true,
      validationPassed: false,
      scores: {},
      barred: 'crash',
    };
    expect(eligibility(worst, domains).reasons).toEqual([
      'empty patch',
      'failed validation',
      'no score in: alpha, beta',
      'barred: crash',
    ]);
  });

  test('the root has no patch and is still eligible', () => {
    expect(eligibility({ ...good, parentId: null, patchEmpty: true }, domains).eligible).toBe(true);
  });
});

describe('ranking score', () => {
  test('val when present, else train', () => {
    expect(rankingScore({ train: 0.2, val: 0.7 })).toBe(0.7);
    expect(rankingScore({ train: 0.2 })).toBe(0.2);
    expect(rankingScore({})).toBeUndefined();
    expect(rankingScore(undefined)).toBeUndefined();
  });

  test('a_i is the mean over the run domains', () => {
    // alpha val 0.7, beta train 0.2 → 0.45; gamma is not a run domain and is ignored.
    expect(
      meanRankingScore(
        { alpha: { train: 0.1, val: 0.7 }, beta: { train: 0.2 }, gamma: { train: 1 } },
        domains,
      ),
    ).toBeCloseTo(0.45, 12);
    expect(() => meanRankingScore({ alpha: { train: 1 } }, domains)).toThrow(/'beta'/);
  });
});

describe('trainScoresOf', () => {
  test('train per run domain, null where missing; val never copied', () => {
    expect(trainScoresOf({ alpha: { train: 0.4, val: 0.9 }, beta: { val: 0.8 } }, domains)).toEqual({
      alpha: 0.4,
      beta: null,
    });
  });
});
