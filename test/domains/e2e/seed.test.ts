/**
 * End to end: the seed hyperagent's task agent, run in the real sandbox exactly as the engine runs
 * it (sandboxBatchRunner + evaluateSplit), on a few train tasks of each built-in domain, scored on
 * the host (coding and reward-design execute the prediction in a second sandbox session).
 */
import { SEED_DIR, seedProgram } from '../../../src/agent/layout';
import type { ProgramFiles } from '../../../src/agent/program';
import {
  evaluateProgram,
  parseRunConfig,
  type EngineDeps,
  type EvalRequest,
  type RunConfig,
} from '../../../src/engine';
import { engineDepsFromConfig } from '../../../src/wiring/engineDeps';
import { stackConfig } from '../../helpers/stack';
import { DATA_DIR } from '../helpers';

let deps: EngineDeps;
let seed: ProgramFiles;
let run: RunConfig;
beforeAll(async () => {
  const config = { ...stackConfig(), dataDir: DATA_DIR };
  deps = await engineDepsFromConfig(config);
  run = parseRunConfig(config.run ?? {});
  seed = await seedProgram();
});

/** The seed program through the same service as `hyperagents eval`, with the default run settings. */
function evalSeed(request: Omit<EvalRequest, 'program' | 'programPath'>) {
  return evaluateProgram(deps, { program: seed, programPath: SEED_DIR, ...request }, { run });
}

const GRADES = ['incorrect', 'partial', 'almost', 'correct'];

/** What a well-formed prediction of each domain looks like. */
const wellFormed: Record<string, (p: unknown) => boolean> = {
  'paper-review': (p) => p === 'accept' || p === 'reject',
  'math-grading': (p) => typeof p === 'string' && GRADES.includes(p),
  coding: (p) => typeof p === 'string' && /\bexport\b/.test(p),
  'reward-design': (p) => typeof p === 'string' && /function\s+\w+\s*\(/.test(p),
};

test.each(Object.keys(wellFormed))('%s: the seed agent on 3 train tasks in the sandbox', async (domain) => {
  const report = await evalSeed({ domain, split: 'train', limit: 3 });
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
  const report = await evalSeed({ domain: 'coding', split: 'train', limit: 2 });
  for (const t of report.tasks) {
    const d = t.details as { passed: number; total: number; loadError?: string };
    expect(d.loadError).toBeUndefined();
    expect(d.total).toBeGreaterThan(0);
    expect(t.score).toBeCloseTo(d.passed / d.total, 12);
  }
});

test('reward-design: the default-reward path balances cartpole (score > 0.5)', async () => {
  const report = await evalSeed({ domain: 'reward-design', taskIds: ['cartpole-balance#train-0'] });
  const [task] = report.tasks;
  expect(task?.prediction).toEqual(expect.stringContaining('defaultReward'));
  expect(task?.details).not.toHaveProperty('failure');
  expect(task!.score).toBeGreaterThan(0.5);
});
