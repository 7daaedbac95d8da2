/**
 * End to end: the seed hyperagent's task agent, run in the real sandbox exactly as the engine runs
 * it (sandboxBatchRunner + evaluateSplit), on a few train tasks of each built-in domain, scored on
 * the host (coding and reward-design execute the prediction in a second sandbox session).
 */
import { SEED_DIR } from '../../../src/agent/layout';
import { evalDepsFromConfig, evaluateProgram, type EvalDeps } from '../../../src/cli/evalCommand';
import { stackConfig } from '../../helpers/stack';
import { DATA_DIR } from '../helpers';

let deps: EvalDeps;
beforeAll(async () => {
  deps = await evalDepsFromConfig({ ...stackConfig(), dataDir: DATA_DIR });
});

const GRADES = ['incorrect', 'partial', 'almost', 'correct'];

/** What a well-formed prediction of each domain looks like. */
const wellFormed: Record<string, (p: unknown) => boolean> = {
  'paper-review': (p) => p === 'accept' || p === 'reject',
  'math-grading': (p) => typeof p === 'string' && GRADES.includes(p),
  coding: (p) => typeof p === 'string' && /\bexport\b/.test(p),
  'reward-design': (p) => typeof p === 'string' && /function\s+\w+\s*\(/.test(p),
};

test.each(Object.keys(wellFormed))('%s: the seed agent on 3 train tasks in the sandbox', async (domain) => {
  const report = await evaluateProgram({ programDir: SEED_DIR, domain, split: 'train', limit: 3 }, deps);
  expect(report.split).toBe('train');
  expect(report.tasks).toHaveLength(3);
  for (const t of report.tasks) {
    expect(t.error).toBeUndefined();
    expect(wellFormed[domain]!(t.prediction)).toBe(true);
    expect(t.score).toBeGreaterThanOrEqual(0);
    expect(t.score).toBeLessThanOrEqual(1);
  }
  expect(report.score).toBeCloseTo(report.tasks.reduce((s, t) => s + t.score, 0) / 3, 12);
});

test('coding: the seed module loads in the scoring sandbox and is run on hidden cases', async () => {
  const report = await evaluateProgram(
    { programDir: SEED_DIR, domain: 'coding', split: 'train', limit: 2 },
    deps,
  );
  for (const t of report.tasks) {
    const d = t.details as { passed: number; total: number; loadError?: string };
    expect(d.loadError).toBeUndefined();
    expect(d.total).toBeGreaterThan(0);
    expect(t.score).toBeCloseTo(d.passed / d.total, 12);
  }
});

test('reward-design: the default-reward path balances cartpole (score > 0.5)', async () => {
  const report = await evaluateProgram(
    { programDir: SEED_DIR, domain: 'reward-design', taskIds: ['cartpole-balance#train-0'] },
    deps,
  );
  const [task] = report.tasks;
  expect(task?.prediction).toEqual(expect.stringContaining('defaultReward'));
  expect(task?.details).not.toHaveProperty('failure');
  expect(task!.score).toBeGreaterThan(0.5);
});
