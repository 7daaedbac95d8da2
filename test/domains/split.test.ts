import { balancedQuotas, proportionalQuotas, splitByClass } from '../../src/domains/split';

interface Item {
  id: string;
  cls: string;
}
const items: Item[] = [];
for (let i = 0; i < 30; i++) items.push({ id: `a${String(i).padStart(2, '0')}`, cls: 'a' });
for (let i = 0; i < 12; i++) items.push({ id: `b${String(i).padStart(2, '0')}`, cls: 'b' });
const split = (list: readonly Item[], seed: number) =>
  splitByClass(
    list,
    (x) => x.cls,
    (x) => x.id,
    balancedQuotas(['a', 'b'], { train: 6, val: 4, test: 5 }),
    seed,
  );
const ids = (xs: readonly Item[]) => xs.map((x) => x.id);

describe('balancedQuotas', () => {
  it('gives equal counts, the odd item to the first class in name order', () => {
    const q = balancedQuotas(['reject', 'accept'], { train: 100, val: 7, test: 0 });
    expect([...q.train]).toEqual([
      ['accept', 50],
      ['reject', 50],
    ]);
    expect([...q.val]).toEqual([
      ['accept', 4],
      ['reject', 3],
    ]);
    expect([...q.test]).toEqual([
      ['accept', 0],
      ['reject', 0],
    ]);
  });
});

describe('proportionalQuotas', () => {
  it('keeps class proportions with largest-remainder rounding', () => {
    // 35/24/6/35 of 100 into 10: exact 3.5, 2.4, 0.6, 3.5 -> floors 3,2,0,3 (8); the 2 left go to the
    // largest remainders: almost (.6), then the first of the .5 ties in name order, correct.
    const counts = new Map([
      ['correct', 35],
      ['partial', 24],
      ['almost', 6],
      ['incorrect', 35],
    ]);
    const q = proportionalQuotas(counts, { train: 10, val: 10, test: 10 });
    expect(Object.fromEntries(q.train)).toEqual({ almost: 1, correct: 4, incorrect: 3, partial: 2 });
  });
});

describe('splitByClass', () => {
  it('is reproducible from the seed and independent of input order', () => {
    const a = split(items, 7);
    const b = split([...items].reverse(), 7);
    expect(ids(a.train)).toEqual(ids(b.train));
    expect(ids(a.val)).toEqual(ids(b.val));
    expect(ids(a.test)).toEqual(ids(b.test));
  });

  it('changes with the seed', () => {
    expect(ids(split(items, 1).train)).not.toEqual(ids(split(items, 2).train));
  });

  it('balances classes in each split and never reuses an item', () => {
    const s = split(items, 3);
    const count = (xs: Item[], cls: string) => xs.filter((x) => x.cls === cls).length;
    expect([count(s.train, 'a'), count(s.train, 'b')]).toEqual([3, 3]);
    expect([count(s.val, 'a'), count(s.val, 'b')]).toEqual([2, 2]);
    expect([count(s.test, 'a'), count(s.test, 'b')]).toEqual([3, 2]);
    const all = [...ids(s.train), ...ids(s.val), ...ids(s.test)];
    expect(new Set(all).size).toBe(15);
  });

  it('fails clearly when a class is too small', () => {
    expect(() =>
      splitByClass(
        items,
        (x) => x.cls,
        (x) => x.id,
        balancedQuotas(['a', 'b'], { train: 10, val: 10, test: 10 }),
        0,
      ),
    ).toThrow('not enough items for the requested split sizes (b: need 15, have 12)');
  });
});
