import { aggregateTaskScores, toDomainScores, type TaskResult } from '../../src/evaluation';

const r = (domain: string, split: TaskResult['split'], taskId: string, score: number | null): TaskResult => ({
  domain,
  split,
  taskId,
  score,
});

describe('aggregateTaskScores', () => {
  test('groups by domain and split; a failed task counts as 0', () => {
    const metrics = aggregateTaskScores([
      r('alpha', 'train', 't1', 1),
      r('beta', 'train', 't1', 0.5),
      r('alpha', 'train', 't2', 0),
      r('alpha', 'val', 'v1', 0.25),
      r('alpha', 'train', 't3', null),
      r('alpha', 'train', 't4', 1),
    ]);
    // alpha/train: (1 + 0 + 0 + 1) / 4 = 0.5, one failed; beta/train: 0.5; alpha/val: 0.25.
    expect(metrics).toEqual([
      { domain: 'alpha', split: 'train', score: 0.5, evaluated: 4, failed: 1, metrics: { score: 0.5 } },
      { domain: 'beta', split: 'train', score: 0.5, evaluated: 1, failed: 0, metrics: { score: 0.5 } },
      { domain: 'alpha', split: 'val', score: 0.25, evaluated: 1, failed: 0, metrics: { score: 0.25 } },
    ]);
  });

  test("uses a domain's own aggregator when given", () => {
    // Fraction of perfect answers: [1, 0.5, 1] → 2/3; the mean 2.5/3 is kept as an extra metric.
    const metrics = aggregateTaskScores(
      [r('alpha', 'train', 'a', 1), r('alpha', 'train', 'b', 0.5), r('alpha', 'train', 'c', 1)],
      {
        alpha: (perTask) => ({
          score: perTask.filter((t) => t.score === 1).length / perTask.length,
          mean: perTask.reduce((s, t) => s + t.score, 0) / perTask.length,
        }),
      },
    );
    expect(metrics[0]!.score).toBeCloseTo(2 / 3, 12);
    expect(metrics[0]!.metrics.mean).toBeCloseTo(2.5 / 3, 12);
  });

  test('refuses duplicate tasks and non-finite scores', () => {
    expect(() => aggregateTaskScores([r('a', 'train', 'x', 1), r('a', 'train', 'x', 0)])).toThrow(/twice/);
    expect(() => aggregateTaskScores([r('a', 'train', 'x', NaN)])).toThrow(/NaN/);
    // The same id in two splits is fine.
    expect(aggregateTaskScores([r('a', 'train', 'x', 1), r('a', 'val', 'x', 0)])).toHaveLength(2);
  });
});

describe('toDomainScores', () => {
  test('keeps train and val per domain and drops test', () => {
    expect(
      toDomainScores([
        { domain: 'alpha', split: 'train', score: 0.4 },
        { domain: 'alpha', split: 'val', score: 0.3 },
        { domain: 'alpha', split: 'test', score: 0.9 },
        { domain: 'beta', split: 'train', score: 0.2 },
      ]),
    ).toEqual({ alpha: { train: 0.4, val: 0.3 }, beta: { train: 0.2 } });
  });
});
