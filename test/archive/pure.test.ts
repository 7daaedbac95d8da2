import { checkRunId, generationOf, lineageOf, nodeIdFor, reportKey } from '../../src/archive';
import { mapLimit } from '../../src/util/concurrency';
import { makeNode } from './fixtures';

test('mapLimit keeps order, never exceeds the limit, and throws the first failure', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (x) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, x));
    inFlight--;
    return x * 10;
  });
  expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
  expect(peak).toBe(3);
  await expect(
    mapLimit([1, 2, 3], 2, async (x) => {
      if (x === 2) throw new Error('boom 2');
      return x;
    }),
  ).rejects.toThrow('boom 2');
  expect(await mapLimit([], 4, async () => 1)).toEqual([]);
});

test('node ids and keys', () => {
  expect(nodeIdFor(42)).toBe('gen-00042');
  expect(nodeIdFor(123456)).toBe('gen-123456');
  expect(generationOf('gen-00042')).toBe(42);
  expect(() => generationOf('gen-42')).toThrow(/gen-00042/);
  expect(() => nodeIdFor(-1)).toThrow();
  expect(reportKey('r1', 'gen-00003', 'paper-review', 'val')).toBe(
    'runs/r1/reports/gen-00003/paper-review-val.json',
  );
  expect(() => reportKey('r1', 'gen-00003', '../x', 'val')).toThrow(/cannot be part of a key/);
  for (const bad of ['', 'a/b', '..', 'a..b', '.hidden', 'x'.repeat(129)])
    expect(() => checkRunId(bad)).toThrow();
});

test('lineageOf walks parents root first and reports a missing ancestor', () => {
  const nodes = [makeNode('r', 0, null), makeNode('r', 1, 0), makeNode('r', 2, 1), makeNode('r', 4, 3)];
  expect(lineageOf(nodes, 'gen-00002')).toEqual(['gen-00000', 'gen-00001', 'gen-00002']);
  expect(() => lineageOf(nodes, 'gen-00004')).toThrow(/no node gen-00003/);
});
