import { rngFor } from '../../src/selection';

const take = (rng: { uint32(): number }, k: number) => Array.from({ length: k }, () => rng.uint32());

describe('rngFor', () => {
  test('same run seed and generation give the same stream', () => {
    expect(take(rngFor('run-1', 7), 20)).toEqual(take(rngFor('run-1', 7), 20));
  });

  test('another generation, run seed or purpose gives another stream', () => {
    const base = take(rngFor('run-1', 7), 8);
    expect(take(rngFor('run-1', 8), 8)).not.toEqual(base);
    expect(take(rngFor('run-2', 7), 8)).not.toEqual(base);
    expect(take(rngFor('run-1', 7, 'staged:alpha'), 8)).not.toEqual(base);
  });

  test('pinned naming: recorded workflow histories drew from these streams', () => {
    // Recorded from this implementation; if this fails, every seeded run draws differently.
    expect(take(rngFor('run-1', 7), 3)).toEqual(GOLDEN_RUN_1_GEN_7);
  });

  test('refuses a bad generation', () => {
    expect(() => rngFor('r', -1)).toThrow(/generation/);
    expect(() => rngFor('r', 1.5)).toThrow(/generation/);
  });
});

const GOLDEN_RUN_1_GEN_7 = [3551425575, 3968806936, 232187630];
