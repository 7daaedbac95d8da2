/** Seeded split of exercises (by slug) into train / val / test. */
import type { Split } from '../contract';
import { rngFromSeed, shuffled } from '../../util/random';

export type SplitSizes = Record<Split, number>;

/** 40% / 20% / the rest, of however many exercises the pool has (it is far below the paper's 100 each). */
export function defaultSplitSizes(poolSize: number): SplitSizes {
  const train = Math.floor(poolSize * 0.4);
  const val = Math.floor(poolSize * 0.2);
  return { train, val, test: poolSize - train - val };
}

/**
 * Missing sizes default to 40% train, 20% val, and test = the rest. Sorted first, so the result depends only on the seed and the set of slugs; then one seeded
 * shuffle cut into train, val, test in that order (no slug in two splits).
 */
export function splitExercises(
  slugs: readonly string[],
  seed: number,
  sizes: Partial<SplitSizes> = {},
): Record<Split, string[]> {
  const pool = [...new Set(slugs)].sort();
  const d = defaultSplitSizes(pool.length);
  const train = sizes.train ?? d.train;
  const val = sizes.val ?? d.val;
  // An unspecified test split takes every exercise the other two leave.
  const full = { train, val, test: sizes.test ?? Math.max(0, pool.length - train - val) };
  const needed = full.train + full.val + full.test;
  if (needed > pool.length) {
    throw new Error(
      `coding: asked for ${full.train}/${full.val}/${full.test} train/val/test exercises but only ` +
        `${pool.length} are usable; ask for smaller splits`,
    );
  }
  const order = shuffled(pool, rngFromSeed(seed));
  return {
    train: order.slice(0, full.train),
    val: order.slice(full.train, full.train + full.val),
    test: order.slice(full.train + full.val, needed),
  };
}
