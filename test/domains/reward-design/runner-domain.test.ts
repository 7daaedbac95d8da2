import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { UntrustedRunRequest } from '../../../src/domains/contract';
import { createRewardDesignDomain } from '../../../src/domains/reward-design/domain';
import { evaluateReward, replayTraining, trainingSeedFor } from '../../../src/domains/reward-design/evaluate';
import { handleRunnerRequest } from '../../../src/domains/reward-design/runner';
import { RUNNER_ENTRY, runnerFiles } from '../../../src/domains/reward-design/runner-files';
import { getRewardTask } from '../../../src/domains/reward-design/tasks';
import { trainWithReward } from '../../../src/domains/reward-design/training';

/** Writes the runner to a temporary folder once; each test runs it as a separate Node process. */
let runnerDir = '';
beforeAll(() => {
  runnerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reward-runner-test-'));
  for (const [name, content] of Object.entries(runnerFiles())) {
    fs.mkdirSync(path.dirname(path.join(runnerDir, name)), { recursive: true });
    fs.writeFileSync(path.join(runnerDir, name), content);
  }
});
afterAll(() => fs.rmSync(runnerDir, { recursive: true, force: true }));

function runProcess(stdin: string): { status: number | null; output: Record<string, unknown> } {
  const result = spawnSync(process.execPath, [RUNNER_ENTRY], {
    cwd: runnerDir,
    input: stdin,
    encoding: 'utf8',
  });
  return { status: result.status, output: JSON.parse(result.stdout) as Record<string, unknown> };
}

describe('runner', () => {
  it('refuses malformed requests with exit code 2', () => {
    expect(handleRunnerRequest('not json').exitCode).toBe(2);
    expect(handleRunnerRequest('{"task":"nope","rewardSource":"","trainingSeed":1}').output).toMatch(
      /unknown reward-design task/,
    );
    expect(handleRunnerRequest('{"task":"cartpole-balance","rewardSource":"x"}').output).toMatch(
      /trainingSeed/,
    );
  });

  it('trains in a separate Node process exactly as in process, and reports reward values only', () => {
    const task = getRewardTask('cartpole-balance');
    const request = { task: task.id, rewardSource: task.defaultRewardSource, trainingSeed: 2 };
    const { status, output } = runProcess(JSON.stringify(request));
    expect(status).toBe(0);
    expect(Object.keys(output).sort()).toEqual(['returns', 'trainMs']);
    const inProcess = trainWithReward(task, task.defaultRewardSource, 2);
    expect(output.returns).toEqual(inProcess.returns);
    // The host's replay of CEM from those values reaches the policy the trainer reached.
    const replayed = replayTraining(task, 2, output.returns);
    expect('policy' in replayed && replayed.policy).toEqual(inProcess.policyParameters);
  });

  it('contains a reward that floods the microtask queue, and reports it', () => {
    const rewardSource =
      'function reward() { const spin = () => Promise.resolve().then(spin); spin(); return 0; }';
    const { status, output } = runProcess(
      JSON.stringify({ task: 'cartpole-balance', rewardSource, trainingSeed: 1 }),
    );
    expect(status).toBe(0);
    expect((output.failure as { kind: string }).kind).toBe('timeout');
  });
});

describe('reward-design domain', () => {
  it('builds seeded splits: training environments for train/val, the held-out one for test', async () => {
    const domain = createRewardDesignDomain();
    const loaded = await domain.loadTasks({ seed: 3 });
    expect(loaded.splits.train.map((t) => t.id)).toEqual([
      'cartpole-balance#train-0',
      'mountain-car-continuous#train-0',
      'pendulum-swingup#train-0',
      'cartpole-balance#train-1',
      'mountain-car-continuous#train-1',
      'pendulum-swingup#train-1',
    ]);
    expect(loaded.splits.test.map((t) => t.input.envId)).toEqual(Array(4).fill('Acrobot-v1'));
    expect(loaded.splits.val).toHaveLength(6);
    const again = await domain.loadTasks({ seed: 3 });
    expect([...again.labels]).toEqual([...loaded.labels]);
    const other = await domain.loadTasks({ seed: 4 });
    expect(other.labels.get('cartpole-balance#train-0')?.seed).not.toBe(
      loaded.labels.get('cartpole-balance#train-0')?.seed,
    );
    // The agent's input carries no seed and no scoring thresholds beyond the description.
    const input = loaded.splits.train[0]?.input as unknown as Record<string, unknown>;
    expect(Object.keys(input).sort()).toEqual(
      [
        'action',
        'defaultRewardSource',
        'description',
        'envId',
        'evaluation',
        'stateFields',
        'taskId',
        'title',
      ].sort(),
    );
    const sized = await domain.loadTasks({ sizes: { train: 2, val: 1, test: 3 } });
    expect([sized.splits.train.length, sized.splits.val.length, sized.splits.test.length]).toEqual([2, 1, 3]);
  });

  it('refuses to run untrusted code without a sandbox unless host execution is allowed', async () => {
    const domain = createRewardDesignDomain();
    const label = { taskId: 'cartpole-balance', seed: 1 };
    const noSandbox = await domain.score('function reward() { return 1; }', label, { taskId: 't' });
    expect(noSandbox.score).toBe(0);
    expect(noSandbox.details?.reason).toMatch(/no sandbox/);
    expect((await domain.score(42, label, { taskId: 't' })).details?.reason).toMatch(/reward source/);
  });

  it('scores through a runner process and re-scores the returned policy on the host', async () => {
    const domain = createRewardDesignDomain({ allowHostExecution: true });
    const task = getRewardTask('cartpole-balance');
    const label = { taskId: task.id, seed: 5 };
    const verdict = await domain.score(task.defaultRewardSource, label, { taskId: 't' });
    expect(verdict.score).toBe(evaluateReward(task, task.defaultRewardSource, 5).score);
    expect(verdict.score).toBeGreaterThan(0.9);
    const failing = await domain.score('function reward() { throw new Error("x"); }', label, { taskId: 't' });
    expect(failing).toEqual({
      score: 0,
      details: { failure: 'runtime', reason: expect.stringMatching(/Error: x/) as unknown },
    });
  });

  it('uses nothing of the runner output but the reward values, and sends no evaluation seed', async () => {
    const domain = createRewardDesignDomain();
    const task = getRewardTask('cartpole-balance');
    const label = { taskId: task.id, seed: 2_718_281_828 };
    const zeroReturns = Array.from({ length: task.training.cem.iterations }, () =>
      new Array<number>(task.training.cem.population * task.training.episodesPerCandidate).fill(0),
    );
    const good = evaluateReward(task, task.defaultRewardSource, label.seed);
    expect(good.score).toBeGreaterThan(0.9);
    const seen: UntrustedRunRequest[] = [];
    // Reports a perfect score and a policy tuned on the scoring episodes, next to all-zero rewards.
    const lyingSandbox = async (request: UntrustedRunRequest) => {
      seen.push(request);
      const details = { policyParameters: good.details.policyParameters, envId: 'CartPole-v1' };
      const stdout = JSON.stringify({ score: 1, details, returns: zeroReturns, trainMs: 1 });
      return { exitCode: 0, stdout, stderr: '', timedOut: false };
    };
    const source = 'function reward() { return 1; }';
    const verdict = await domain.score(source, label, { taskId: 't', runUntrusted: lyingSandbox });
    expect(verdict.score).toBe(evaluateReward(task, 'function reward() { return 0; }', label.seed).score);
    expect(verdict.score).toBeLessThan(0.2);
    // The sandbox receives the runner and a request with the training seed, never the evaluation seed.
    expect(seen[0]?.command).toEqual(['node', 'domains/reward-design/runner.js', 'request.json']);
    expect(JSON.parse(seen[0]?.files['request.json'] ?? '{}')).toEqual({
      task: 'cartpole-balance',
      rewardSource: source,
      trainingSeed: trainingSeedFor(label.seed),
    });
    expect(trainingSeedFor(label.seed)).not.toBe(label.seed);
    expect(Object.values(seen[0]?.files ?? {}).filter((f) => f.includes(String(label.seed)))).toEqual([]);

    const reply = (stdout: string) => async () => ({ exitCode: 0, stdout, stderr: '', timedOut: false });
    const malformed = [
      'nope',
      JSON.stringify({ score: 1 }),
      JSON.stringify({ returns: zeroReturns.slice(1) }),
      JSON.stringify({ returns: zeroReturns.map((r, i) => (i === 3 ? [...r.slice(1), 'x'] : r)) }),
      JSON.stringify({ returns: zeroReturns.map((r, i) => (i === 3 ? r.slice(1) : r)) }),
    ];
    for (const stdout of malformed) {
      const outcome = await domain.score(source, label, { taskId: 't', runUntrusted: reply(stdout) });
      expect(outcome.score).toBe(0);
      expect(outcome.details?.failure).toBe('sandbox');
    }
  });

  it('scores an escaping, output-forging reward as what its returned rewards earn (local runner)', async () => {
    // The vm escape of issue 10: import()'s rejection is a host-realm error, so its constructor's
    // constructor is the real Function. The reward then owns the runner process.
    const task = getRewardTask('cartpole-balance');
    const label = { taskId: task.id, seed: 1_618_033_988 };
    const tuned = evaluateReward(task, task.defaultRewardSource, label.seed).details.policyParameters;
    const source = `import('x').catch((e) => {
  const p = e.constructor.constructor('return process')();
  const fs = p.mainModule.require('fs');
  const request = fs.readFileSync('request.json', 'utf8');
  const details = { policyParameters: ${JSON.stringify(tuned)}, envId: 'CartPole-v1', request };
  fs.writeSync(1, JSON.stringify({ score: 1, details }));
  p.exit(0);
});
function reward() { return 0; }`;
    const domain = createRewardDesignDomain({ allowHostExecution: true });
    const verdict = await domain.score(source, label, { taskId: 't' });
    // It escaped and replaced the output: the report lacks returns, which is the agent's fault.
    expect(verdict).toEqual({
      score: 0,
      details: { failure: 'sandbox', reason: expect.stringMatching(/returns/) as unknown },
    });
  });

  it('aggregates the mean and the failure rate', () => {
    const domain = createRewardDesignDomain();
    expect(domain.aggregate([])).toEqual({ score: 0, failureRate: 0 });
    expect(domain.aggregate([{ score: 1 }, { score: 0, details: { failure: 'timeout' } }])).toEqual({
      score: 0.5,
      failureRate: 0.5,
    });
  });
});
