import { scoreOverGenerationsSpec, type CurvePoint } from '../../src/report/charts';
import { bestSoFar, fmtSpread, median, medianCurve, spread } from '../../src/report/stats';
import { ablationCurves, planAblation, type AblationRun } from '../../bench/ablation';
import type { NodeRecord } from '../../src/archive';
import type { RunOutcome } from '../../bench/runs';

describe('median and spread', () => {
  test('median of odd and even counts, unsorted input left alone', () => {
    const xs = [3, 1, 2];
    expect(median(xs)).toBe(2);
    expect(xs).toEqual([3, 1, 2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  test('spread skips missing values and reports median, min, max and count', () => {
    expect(spread([0.5, undefined, 0.1, 0.9, NaN])).toEqual({ median: 0.5, min: 0.1, max: 0.9, n: 3 });
    expect(spread([undefined])).toBeUndefined();
    expect(fmtSpread(spread([0.2, -0.1]), true)).toBe('+0.050 (-0.100 … +0.200)');
    expect(fmtSpread(undefined)).toBe('—');
  });
});

describe('best so far', () => {
  test('is the running maximum by generation, undefined before the first score, and never decreases', () => {
    const curve = bestSoFar(
      [
        { generation: 0, score: undefined },
        { generation: 1, score: 0.4 },
        { generation: 2, score: 0.3 },
        { generation: 2, score: 0.6 },
        { generation: 4, score: 0.5 },
      ],
      5,
    );
    expect(curve).toEqual([undefined, 0.4, 0.6, 0.6, 0.6, 0.6]);
  });

  test('the median curve over runs takes, per generation, the runs that have a value', () => {
    expect(medianCurve([[undefined, 0.2, 0.4], [0.1, 0.3, 0.3], [0.5]])).toEqual([0.3, 0.25, 0.35]);
  });
});

describe('the score-over-generations chart', () => {
  const points: CurvePoint[] = [
    { method: 'dgm-h', domain: 'paper-review', generation: 0, score: 0.4 },
    { method: 'dgm-h', domain: 'paper-review', generation: 1, score: 0.5 },
    { method: 'dgm', domain: 'paper-review', generation: 0, score: 0.4 },
    { method: 'dgm', domain: 'math-grading', generation: 0, score: 0.3 },
  ];

  test('one line per method (colour by method, in first-seen order), one panel per domain', () => {
    const spec = scoreOverGenerationsSpec(points, { title: 't' }) as {
      data: { values: CurvePoint[] };
      facet: { column: { field: string } };
      spec: {
        mark: { type: string };
        encoding: { x: { field: string }; color: { field: string; sort: string[] } };
      };
    };
    expect(spec.facet.column.field).toBe('domain');
    expect(spec.spec.mark.type).toBe('line');
    expect(spec.spec.encoding.x.field).toBe('generation');
    expect(spec.spec.encoding.color).toMatchObject({ field: 'method', sort: ['dgm-h', 'dgm'] });
    expect(spec.data.values).toEqual(points);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec); // plain JSON, renderable anywhere
  });

  test("the ablation's curves: one series per method and domain, best-so-far and monotone", () => {
    const o = { methods: ['dgm-h', 'dgm'] as const, domains: ['paper-review'], seeds: 2, generations: 3 };
    const node = (generation: number, score: number | undefined): NodeRecord =>
      ({
        generation,
        parentId: generation === 0 ? null : 'gen-00000',
        validation: { passed: true, reasons: [] },
        scores: score === undefined ? {} : { 'paper-review': { val: { score, basis: 'full' } } },
      }) as unknown as NodeRecord;
    const scores: Record<string, Array<number | undefined>> = {
      'dgm-h/ablation-1': [0.4, 0.6, 0.5, 0.7],
      'dgm-h/ablation-2': [0.4, 0.3, undefined, 0.5],
      'dgm/ablation-1': [0.4, 0.2, 0.45, 0.1],
      'dgm/ablation-2': [0.4, 0.4, 0.4, 0.4],
    };
    const runs: AblationRun[] = planAblation({ ...o, methods: [...o.methods] }).map((planned) => ({
      planned,
      outcome: { nodes: scores[planned.key]!.map((s, g) => node(g, s)) } as unknown as RunOutcome,
    }));
    const points = ablationCurves(runs, { ...o, methods: [...o.methods] });
    const series = (m: string) =>
      points.filter((p) => p.method === m).map((p) => Math.round(p.score * 1e9) / 1e9);
    expect(new Set(points.map((p) => p.method))).toEqual(new Set(['dgm-h', 'dgm']));
    expect(series('dgm-h')).toEqual([0.4, 0.5, 0.5, 0.6]);
    expect(series('dgm')).toEqual([0.4, 0.4, 0.425, 0.425]);
    for (const m of o.methods) {
      const s = series(m);
      for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThanOrEqual(s[i - 1]!);
    }
  });
});

describe('the ablation plan', () => {
  test('every method per seed, then per seed the transfer source before the two runs that start from it', () => {
    const plan = planAblation({
      methods: ['dgm-h', 'no-self-improve', 'no-open-ended', 'dgm'],
      domains: ['reward-design', 'paper-review', 'math-grading'],
      seeds: 2,
      generations: 12,
      transfer: { from: ['paper-review', 'reward-design'], to: ['math-grading'] },
    });
    expect(plan).toHaveLength(2 * (4 + 3));
    expect(new Set(plan.map((p) => p.key)).size).toBe(plan.length);
    const evolved = plan.find((p) => p.key === 'transfer-evolved/ablation-1')!;
    expect(evolved).toMatchObject({
      method: 'no-self-improve',
      domains: ['math-grading'],
      start: { from: 'transfer-source/ablation-1', node: 'best', reset: 'task' },
    });
    expect(plan.find((p) => p.key === 'transfer-initial/ablation-1')!.start).toMatchObject({ node: 'start' });
    expect(plan.findIndex((p) => p.key === 'transfer-source/ablation-1')).toBeLessThan(plan.indexOf(evolved));
  });
});
