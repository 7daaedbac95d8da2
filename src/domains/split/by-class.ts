import { SPLITS, type Split } from '../contract';
import { rngFromSeed, shuffled } from '../../util/random';

/** How many items of each class go into each split. */
export type ClassQuotas = Readonly<Record<Split, ReadonlyMap<string, number>>>;

/**
 * Seeded stratified split. Items are sorted by `idOf` first so the result depends only on the
 * seed and the set of items, never on file order. Each class is shuffled once and cut into
 * train, val, test in that order, so no item appears in two splits; within a split the classes
 * are interleaved by a second seeded shuffle.
 */
export function splitByClass<T>(
  items: readonly T[],
  classOf: (item: T) => string,
  idOf: (item: T) => string,
  quotas: ClassQuotas,
  seed: number,
): Record<Split, T[]> {
  const rng = rngFromSeed(seed);
  const byClass = new Map<string, T[]>();
  const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  for (const item of sorted) {
    const cls = classOf(item);
    const members = byClass.get(cls) ?? [];
    members.push(item);
    byClass.set(cls, members);
  }
  const pools = new Map<string, T[]>();
  for (const cls of [...byClass.keys()].sort()) pools.set(cls, shuffled(byClass.get(cls) ?? [], rng));

  const needed = new Map<string, number>();
  for (const split of SPLITS) {
    for (const [cls, n] of quotas[split]) needed.set(cls, (needed.get(cls) ?? 0) + n);
  }
  const short = [...needed].filter(([cls, n]) => (pools.get(cls)?.length ?? 0) < n);
  if (short.length > 0) {
    const detail = short
      .map(([cls, n]) => `${cls}: need ${n}, have ${pools.get(cls)?.length ?? 0}`)
      .join('; ');
    throw new Error(`not enough items for the requested split sizes (${detail}); ask for smaller splits`);
  }

  const result = { train: [], val: [], test: [] } as Record<Split, T[]>;
  for (const split of SPLITS) {
    const chosen: T[] = [];
    for (const [cls, n] of [...quotas[split]].sort(([a], [b]) => (a < b ? -1 : 1))) {
      chosen.push(...(pools.get(cls) ?? []).splice(0, n));
    }
    result[split] = shuffled(chosen, rng);
  }
  return result;
}

/** Equal numbers of each class per split (an odd size gives the extra item to the first classes). */
export function balancedQuotas(
  classes: readonly string[],
  sizes: Readonly<Record<Split, number>>,
): ClassQuotas {
  const sortedClasses = [...classes].sort();
  const quotaFor = (size: number): Map<string, number> =>
    new Map(
      sortedClasses.map((cls, i) => [
        cls,
        Math.floor(size / sortedClasses.length) + (i < size % sortedClasses.length ? 1 : 0),
      ]),
    );
  return { train: quotaFor(sizes.train), val: quotaFor(sizes.val), test: quotaFor(sizes.test) };
}

/** Class proportions of `counts` preserved in each split (largest remainder rounding). */
export function proportionalQuotas(
  counts: ReadonlyMap<string, number>,
  sizes: Readonly<Record<Split, number>>,
): ClassQuotas {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const classes = [...counts.keys()].sort();
  const quotaFor = (size: number): Map<string, number> => {
    const exact = classes.map((cls) => ((counts.get(cls) ?? 0) * size) / Math.max(total, 1));
    const floors = exact.map(Math.floor);
    let left = size - floors.reduce((a, b) => a + b, 0);
    const order = exact
      .map((x, i) => [x - Math.floor(x), i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, i] of order) {
      if (left-- <= 0) break;
      floors[i] = (floors[i] ?? 0) + 1;
    }
    return new Map(classes.map((cls, i) => [cls, floors[i] ?? 0]));
  };
  return { train: quotaFor(sizes.train), val: quotaFor(sizes.val), test: quotaFor(sizes.test) };
}
