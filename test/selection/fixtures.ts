import type { Candidate, Rng, SelectionSnapshot } from '../../src/selection';

/**
 * Four eligible nodes and one ineligible, over two domains. Mean scores a_i (val where present,
 * else train; the train values next to a val must be ignored):
 *   A: alpha val 0.3 (train 0.1 ignored), beta train 0.1 → (0.3 + 0.1) / 2 = 0.2, n = 3
 *   B: alpha val 0.6, beta train 0.4                     → (0.6 + 0.4) / 2 = 0.5, n = 1
 *   C: alpha val 0.9 (train 0.2 ignored), beta train 0.7 → (0.9 + 0.7) / 2 = 0.8, n = 0
 *   D: alpha val 0.5, beta train 0.7                     → (0.5 + 0.7) / 2 = 0.6, n = 8
 *   E: ineligible (scores 1.0 everywhere): must never be drawn nor get a probability.
 */
export const nodes: Candidate[] = [
  {
    id: 'A',
    generation: 0,
    childCount: 3,
    eligible: true,
    scores: { alpha: { train: 0.1, val: 0.3 }, beta: { train: 0.1 } },
  },
  {
    id: 'B',
    generation: 1,
    childCount: 1,
    eligible: true,
    scores: { alpha: { val: 0.6 }, beta: { train: 0.4 } },
  },
  {
    id: 'C',
    generation: 2,
    childCount: 0,
    eligible: true,
    scores: { alpha: { train: 0.2, val: 0.9 }, beta: { train: 0.7 } },
  },
  {
    id: 'D',
    generation: 3,
    childCount: 8,
    eligible: true,
    scores: { alpha: { val: 0.5 }, beta: { train: 0.7 } },
  },
  {
    id: 'E',
    generation: 4,
    childCount: 0,
    eligible: false,
    scores: { alpha: { val: 1 }, beta: { train: 1 } },
  },
];

export const snapshot: SelectionSnapshot = { domains: ['alpha', 'beta'], candidates: nodes };

/** A rng that returns the given numbers in turn (for testing where a draw lands). */
export function fixedRng(...values: number[]): Rng {
  let i = 0;
  const next = (): number => {
    const v = values[i++];
    if (v === undefined) throw new Error('fixedRng: out of values');
    return v;
  };
  return {
    next,
    uint32: () => 0,
    uniform: (low, high) => low + (high - low) * next(),
    normal: () => {
      throw new Error('fixedRng: selection never draws a normal');
    },
  };
}
