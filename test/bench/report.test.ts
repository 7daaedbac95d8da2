import { scoreOverGenerationsSpec, type CurvePoint } from '../../src/report/charts';
import { bestSoFar, fmtSpread, median, medianCurve, spread } from '../../src/report/stats';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ablationCurves, planAblation, runAblation, type AblationRun } from '../../bench/ablation';
import type { NodeRecord } from '../../src/archive';
import type { RunConfig } from '../../src/engine';
import { RunCheckpoint, type RunOutcome } from '../../bench/runs';

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

describe('a resumed ablation', () => {
  const o = {
    methods: ['dgm-h' as const, 'dgm' as const],
    domains: ['math-grading'],
    seeds: 1,
    generations: 2,
    transfer: { from: ['paper-review'], to: ['math-grading'] },
  };
  const plan = planAblation(o);
  /** A driver whose runs end at once with one node, failing the run ids that `failing` matches. */
  const driver = (started: string[], failing?: RegExp) => ({
    run: (runId: string, config: RunConfig): Promise<RunOutcome> => {
      started.push(runId);
      if (failing?.test(runId)) return Promise.reject(new Error('the worker stopped'));
      const node = { nodeId: 'gen-00000', parentId: null, generation: 0 } as unknown as NodeRecord;
      const status = { bestNodeId: 'gen-00000' } as unknown as RunOutcome['status'];
      return Promise.resolve({ runId, config, status, nodes: [node], minutes: 0 });
    },
  });

  test('runs only what the first start did not finish, and keeps what it did', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ablation-ckpt-'));
    const checkpoint = RunCheckpoint.open(dir, { o });
    const first: string[] = [];
    const runs1 = await runAblation(driver(first, /transfer-source/), plan, {}, o, {
      prefix: 'b',
      checkpoint,
    });
    expect(first).toHaveLength(3); // dgm-h, dgm, the failing source; its two transfer runs are skipped
    expect(runs1.filter((r) => r.error).map((r) => r.planned.key)).toEqual([
      'transfer-source/ablation-1',
      'transfer-evolved/ablation-1',
      'transfer-initial/ablation-1',
    ]);

    const second: string[] = [];
    const runs2 = await runAblation(driver(second), plan, {}, o, {
      prefix: 'b',
      checkpoint: RunCheckpoint.open(dir, { o }),
    });
    expect(second.map((id) => id.replace(/-[0-9a-f]{4}$/, ''))).toEqual([
      'b-transfer-source-ablation-1',
      'b-transfer-evolved-ablation-1',
      'b-transfer-initial-ablation-1',
    ]);
    expect(runs2.every((r) => r.outcome)).toBe(true);
    // The kept runs are the first start's, not new ones.
    expect(runs2[0]!.outcome!.runId).toBe(runs1[0]!.outcome!.runId);
  });

  test('refuses a checkpoint kept for other options', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ablation-ckpt-'));
    RunCheckpoint.open(dir, { o });
    expect(() => RunCheckpoint.open(dir, { o: { ...o, seeds: 5 } })).toThrow(/other options/);
  });
});
