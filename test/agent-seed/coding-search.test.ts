/**
 * The seed task agent's offline coding path: the program search over the visible examples
 * (task/heuristics/coding_search.mjs), the module coding.mjs writes with it, and the meta agent's
 * mutation of the search settings (meta/mutate.mjs, meta/params.json `ranges`). The program is ES
 * modules, so each check runs in a plain Node process and prints JSON.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { pathToFileURL } from 'url';

const SEED = path.join(__dirname, '..', '..', 'src', 'agent', 'seed');
const url = (p: string): string => JSON.stringify(pathToFileURL(path.join(SEED, p)).href);
const IMPORTS = `import { searchExpression, SEARCH_DEFAULTS } from ${url('task/heuristics/coding_search.mjs')};
import { writeStubModule } from ${url('task/heuristics/coding.mjs')};
import { moveInRange, mutateParams } from ${url('meta/mutate.mjs')};
import { withHelpers } from ${url('meta/rng.mjs')};
import { readFileSync } from 'node:fs';
const taskParams = JSON.parse(readFileSync(${JSON.stringify(path.join(SEED, 'task', 'params.json'))}, 'utf8'));
const metaParams = JSON.parse(readFileSync(${JSON.stringify(path.join(SEED, 'meta', 'params.json'))}, 'utf8'));
const seeded = (seed) => { let x = seed; return withHelpers({ next: () => (x = (x * 48271) % 2147483647) / 2147483647 }); };
const load = (source) => import('data:text/javascript,' + encodeURIComponent(source));
void searchExpression, SEARCH_DEFAULTS, writeStubModule, moveInRange, mutateParams, taskParams, metaParams, seeded, load;
`;

/** Runs `body` (an async function body that returns a JSON value) after the imports above. */
function run<T>(body: string): T {
  const script = `${IMPORTS}\nconst out = await (async () => {\n${body}\n})();\nprocess.stdout.write(JSON.stringify(out));`;
  // On stdin: a script with large examples would not fit on a command line.
  const res = spawnSync(process.execPath, ['--input-type=module'], { input: script, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(res.stderr || String(res.error));
  return JSON.parse(res.stdout) as T;
}

interface Found {
  show: string | null;
  evaluations: number;
  stop: string;
  ms: number;
}

/** The search on examples given as [args, expected] pairs. */
function search(names: string[], examples: [unknown[], unknown][], settings: object = {}): Found {
  return run<Found>(`const r = searchExpression(${JSON.stringify(names)},
    ${JSON.stringify(examples)}.map(([args, expected]) => ({ args, expected })), ${JSON.stringify(settings)});
  return { show: r.found?.show ?? null, evaluations: r.evaluations, stop: r.stop, ms: r.ms };`);
}

describe('the program search over the visible examples', () => {
  it('finds the smallest expression for small known functions', () => {
    expect(
      search(
        ['a', 'b'],
        [
          [[1, 2], 3],
          [[5, 7], 12],
        ],
      ).show,
    ).toBe('a + b');
    expect(
      search(
        ['s'],
        [
          [['abc'], 'cba'],
          [['hello'], 'olleh'],
        ],
      ).show,
    ).toBe('reverse(s)');
    expect(
      search(
        ['xs'],
        [
          [[[1, 2, 3]], 6],
          [[[4, -1]], 3],
        ],
      ).show,
    ).toBe('sum(xs)');
    expect(
      search(
        ['s'],
        [
          [['ab'], 'AB'],
          [['x'], 'X'],
        ],
      ).show,
    ).toBe('s.toUpperCase()');
    expect(
      search(
        ['n'],
        [
          [[3], 'odd'],
          [[4], 'even'],
          [[7], 'odd'],
        ],
        { maxEvaluations: 200_000 },
      ).show,
    ).toBe('(n % 2 === 0) ? "even" : "odd"');
  });

  it('answers a constant when several examples with different arguments agree, never from one example', () => {
    const constant = search(
      ['x'],
      [
        [[1], 'hi'],
        [[2], 'hi'],
      ],
    );
    expect(constant).toMatchObject({ show: '"hi"', stop: 'found' });
    // One example: any constant would fit, an expression over the argument is the better guess.
    expect(search(['z'], [[[[1, 0]], 1]]).show).not.toBe('1');
  });

  it('finds nothing when no expression of the language fits, and honours the operator families', () => {
    const noFit = search(
      ['x'],
      [
        [[1], 17],
        [[2], -4],
        [[3], 99],
      ],
    );
    expect(noFit.show).toBeNull();
    expect(['exhausted', 'budget']).toContain(noFit.stop);
    const add: [unknown[], unknown][] = [
      [[1, 2], 3],
      [[5, 7], 12],
    ];
    expect(search(['a', 'b'], add, { families: { arithmetic: false } }).show).not.toBe('a + b');
    expect(search(['a', 'b'], add, { enabled: false })).toMatchObject({ show: null, stop: 'off' });
  });

  it('stays within its evaluation budget on many arguments and many examples, deterministically', () => {
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    // 300 examples of 12 unrelated numbers and strings, answers no small expression gives.
    const examples: [unknown[], unknown][] = Array.from({ length: 300 }, (_, k) => [
      names.map((_, i) => (i % 2 === 0 ? (k * 7919 + i * 104729) % 1000 : `w${(k * 31 + i) % 97}`)),
      (k * 2654435761) % 1009,
    ]);
    const big = search(names, examples, { maxEvaluations: 50_000, timeBudgetMs: 10_000 });
    expect(big.show).toBeNull();
    expect(big.stop).toBe('budget');
    // One candidate (300 evaluations) may start before the budget is checked.
    expect(big.evaluations).toBeLessThanOrEqual(50_000 + examples.length);
    expect(big.ms).toBeLessThan(2000);
    const again = search(names, examples, { maxEvaluations: 50_000, timeBudgetMs: 10_000 });
    expect(again.evaluations).toBe(big.evaluations);
    const small = search(names, examples, { maxEvaluations: 5_000, timeBudgetMs: 10_000 });
    expect(small.evaluations).toBeLessThanOrEqual(5_000 + examples.length);
    // Huge values are never operands: a search over them costs no more than over small ones.
    const huge = 'ab'.repeat(100_000);
    const long = search(
      ['s', 't'],
      [
        [[huge, 'x'], 17],
        [[huge + 'c', 'x'], -4],
      ],
      { maxEvaluations: 1_000_000, timeBudgetMs: 10_000 },
    );
    expect(long.stop).toBe('exhausted');
    expect(long.ms).toBeLessThan(1000);
    expect(search(['s'], [[[huge], huge]]).show).toBe('s');
    // The default budget bounds a search nobody configured.
    const defaults = run<{ maxEvaluations: number }>('return SEARCH_DEFAULTS;');
    expect(search(names, examples).evaluations).toBeLessThanOrEqual(
      defaults.maxEvaluations + examples.length,
    );
  });
});

describe('the module coding.mjs writes with the search', () => {
  const input = {
    exercise: 'mixed',
    functions: [
      { name: 'add', params: ['a', 'b'] },
      { name: 'reverse', params: ['s'] },
      { name: 'total', params: ['xs'] },
      { name: 'answer', params: ['q'] },
    ],
    examples: [
      { function: 'add', args: { a: 1, b: 2 }, expected: 3 },
      { function: 'add', args: { a: -1, b: -1 }, expected: { error: 'negative' } },
      { function: 'add', args: { a: 5, b: 7 }, expected: 12 },
      { function: 'reverse', args: { s: 'abc' }, expected: 'cba' },
      { function: 'total', args: { xs: [1, 2, 3] }, expected: 6 },
      { function: 'answer', args: { q: 1 }, expected: 17 },
      { function: 'answer', args: { q: 2 }, expected: -4 },
      { function: 'answer', args: { q: 3 }, expected: 99 },
    ],
  };

  interface Calls {
    header: string[];
    visible: unknown[];
    hidden: unknown[];
    thrown: string | null;
  }

  /** Loads the written module and calls it on the visible examples and on arguments no example shows. */
  function calls(params: object): Calls {
    return run<Calls>(`const source = writeStubModule(${JSON.stringify(input)}, ${JSON.stringify(params)});
    const m = await load(source);
    let thrown = null;
    try { m.add(-1, -1); } catch (e) { thrown = e.message; }
    return {
      header: source.split('\\n').filter((l) => l.startsWith('//')),
      visible: [m.add(1, 2), m.add(5, 7), m.reverse('abc'), m.total([1, 2, 3]), m.answer(1), m.answer(2), m.answer(3)],
      hidden: [m.add(10, 20), m.reverse('xyz'), m.total([4, 5]), m.answer(50), m.total('not an array')],
      thrown,
    };`);
  }

  it('is valid JS that reproduces the visible examples, from the expressions alone too', () => {
    for (const memorizeExamples of [true, false]) {
      const got = calls({ fallback: 'first-example', memorizeExamples });
      // Without the table, `answer` (no expression) gets its fallback: the first example's value.
      expect(got.visible).toEqual(
        memorizeExamples ? [3, 12, 'cba', 6, 17, -4, 99] : [3, 12, 'cba', 6, 17, 17, 17],
      );
      // The expected error is a table entry: only the table throws it.
      expect(got.thrown).toBe(memorizeExamples ? 'negative' : null);
    }
  });

  it('answers arguments no example shows with the found expression, else with the fallback; says which', () => {
    const got = calls({ fallback: 'zero' });
    // 'not an array' is no input of sum(xs): the fallback answers.
    expect(got.hidden).toEqual([30, 'zyx', 9, 0, 0]);
    expect(got.header[0]).toContain('program search over the visible examples, no LLM');
    expect(got.header).toEqual(
      expect.arrayContaining([
        '//   add(a, b) = a + b',
        '//   reverse(s) = reverse(s)',
        '//   total(xs) = sum(xs)',
        "//   answer(q): no expression fits, 'zero' fallback",
      ]),
    );
    // The search off: the lookup table and the fallback only, as before the search.
    const off = calls({ fallback: 'zero', search: { enabled: false } });
    expect(off.hidden).toEqual([0, 0, 0, 0, 0]);
    expect(off.visible).toEqual([3, 12, 'cba', 6, 17, -4, 99]);
  });

  it('the seed parameters turn the search on, within a budget that keeps a task under a second', () => {
    const s = run<{ enabled: boolean; maxEvaluations: number; maxSize: number }>(
      'return taskParams.domains.coding.search;',
    );
    expect(s.enabled).toBe(true);
    expect(s.maxSize).toBeGreaterThanOrEqual(3);
    expect(s.maxEvaluations).toBeLessThanOrEqual(200_000);
  });
});

describe("the meta agent's mutation of the search settings", () => {
  interface Move {
    path: string;
    from: unknown;
    to: unknown;
  }

  it('moves sizes and budgets within their bounds as integers, and flips the family switches', () => {
    const out = run<{
      changes: Move[];
      ranges: Record<string, { bounds: [number, number] }>;
      others: boolean;
    }>(`
    const changes = [];
    let others = true;
    for (let seed = 1; seed <= 300; seed++) {
      const r = mutateParams({ task: taskParams, meta: metaParams }, seeded(seed), ['coding']);
      changes.push(...r.changes.filter((c) => c.path.startsWith('domains.coding.search.')));
      for (const d of Object.keys(taskParams.domains)) {
        if (d !== 'coding' && JSON.stringify(r.task.domains[d]) !== JSON.stringify(taskParams.domains[d])) others = false;
      }
    }
    return { changes, ranges: metaParams.ranges, others };`);
    expect(out.others).toBe(true);
    for (const name of ['maxSize', 'maxEvaluations', 'timeBudgetMs']) {
      const range = out.ranges[`coding.search.${name}`];
      expect(range).toBeDefined();
      const moves = out.changes.filter((c) => c.path === `domains.coding.search.${name}`);
      expect(moves.length).toBeGreaterThan(5);
      for (const m of moves) {
        expect(Number.isInteger(m.to)).toBe(true);
        expect(m.to).not.toBe(m.from);
        expect(m.to as number).toBeGreaterThanOrEqual(range!.bounds[0]);
        expect(m.to as number).toBeLessThanOrEqual(range!.bounds[1]);
      }
    }
    const flips = out.changes.filter((c) => c.path.startsWith('domains.coding.search.families.'));
    expect(flips.length).toBeGreaterThan(0);
    for (const f of flips) expect(f.to).toBe(!(f.from as boolean));
  });

  it('a range step stays in bounds from anywhere, and an integer always moves', () => {
    const got = run<number[][]>(`
    const rng = seeded(7);
    const range = { bounds: [1, 8], integer: true };
    return [1, 5, 8, 100, 0].map((from) => Array.from({ length: 200 }, () => moveInRange(from, range, 0.3, rng)));`);
    for (const [i, from] of [1, 5, 8, 100, 0].entries()) {
      for (const to of got[i]!) {
        expect(Number.isInteger(to)).toBe(true);
        expect(to).toBeGreaterThanOrEqual(1);
        expect(to).toBeLessThanOrEqual(8);
        expect(to).not.toBe(from);
      }
    }
  });
});
