import { trainCem } from '../../../src/domains/reward-design/cem';
import { evaluateReward, scorePolicy } from '../../../src/domains/reward-design/evaluate';
import { getEnv } from '../../../src/domains/reward-design/envs/registry';
import { act, parameterCount, policyShape } from '../../../src/domains/reward-design/policy';
import { getRewardTask } from '../../../src/domains/reward-design/tasks';
import { rngFromSeed } from '../../../src/util/random';

describe('policy', () => {
  it('counts parameters per layer (weights + biases)', () => {
    expect(parameterCount(policyShape(getEnv('CartPole-v1'), []))).toBe(5); // (4 + 1) * 1 sign output
    expect(parameterCount(policyShape(getEnv('Acrobot-v1'), []))).toBe(21); // (6 + 1) * 3 actions
    expect(parameterCount(policyShape(getEnv('Pendulum-v1'), [6]))).toBe(31); // (3 + 1) * 6 + (6 + 1) * 1
  });

  it('maps observations to actions as hand-computed', () => {
    const cartpole = policyShape(getEnv('CartPole-v1'), []);
    // features: theta / 0.2094 = 0.1 / 0.20944 = 0.477; output = 1 * 0.477 - 0.4 > 0 -> push right (1)
    expect(act(cartpole, [0, 0, 1, 0, -0.4], [0, 0, 0.1, 0])).toBe(1);
    expect(act(cartpole, [0, 0, 1, 0, -0.5], [0, 0, 0.1, 0])).toBe(0);
    const pendulum = policyShape(getEnv('Pendulum-v1'), []);
    // torque = 2 * tanh(bias) with bias = atanh(0.5) -> 1
    expect(act(pendulum, [0, 0, 0, Math.atanh(0.5)], [1, 0, 0])).toBeCloseTo(1, 12);
    const acrobot = policyShape(getEnv('Acrobot-v1'), []);
    const params = new Array<number>(21).fill(0);
    params[2 * 6 + 5] = 1; // output 2 (torque +1) grows with dtheta2
    expect(act(acrobot, params, [1, 0, 1, 0, 0, 3])).toBe(2);
    expect(act(acrobot, params, [1, 0, 1, 0, 0, -3])).toBe(0); // ties between 0 and 1 go to the first
  });
});

describe('trainCem', () => {
  it('finds the maximum of a concave quadratic', () => {
    const config = { population: 30, eliteFraction: 0.2, iterations: 40, initialStd: 2, extraNoise: 0.5 };
    const { mean } = trainCem(2, config, rngFromSeed(1), (candidates) =>
      candidates.map(([a = 0, b = 0]) => -((a - 3) ** 2) - (b + 1) ** 2),
    );
    // Started at (0, 0); the optimum is (3, -1).
    expect(Math.abs((mean[0] ?? 0) - 3)).toBeLessThan(0.15);
    expect(Math.abs((mean[1] ?? 0) + 1)).toBeLessThan(0.15);
  });
});

describe('scorePolicy', () => {
  it('scores a policy that always pushes left near 0 and refuses malformed parameters', () => {
    const { score, episodes } = scorePolicy('cartpole-balance', [0, 0, 0, 0, 0], 1);
    expect(episodes).toHaveLength(10);
    for (const e of episodes) expect(e.steps).toBeLessThan(20);
    expect(score).toBeLessThan(0.04);
    expect(scorePolicy('cartpole-balance', [0, 0, 0], 1).score).toBe(0);
    expect(scorePolicy('cartpole-balance', [0, 0, NaN, 0, 0], 1).score).toBe(0);
  });

  it('scores the textbook acrobot pump (torque follows dtheta2) as solved', () => {
    const params = new Array<number>(21).fill(0);
    params[2 * 6 + 5] = 1;
    params[0 * 6 + 5] = -1;
    const { score, episodes } = scorePolicy('acrobot-swingup', params, 1);
    for (const e of episodes) expect(e.terminated).toBe(true);
    expect(score).toBeGreaterThan(0.7);
  });
});

describe('evaluateReward', () => {
  const cartpole = getRewardTask('cartpole-balance');

  it('trains CartPole far better with the default reward than with a constant zero', () => {
    const withDefault = evaluateReward(cartpole, cartpole.defaultRewardSource, 1);
    const withZero = evaluateReward(cartpole, 'function reward() { return 0; }', 1);
    expect(withDefault.details.failure).toBeUndefined();
    expect(withDefault.score).toBeGreaterThan(0.9);
    expect(withZero.score).toBeLessThan(0.2);
  });

  it('is reproducible from the seed', () => {
    const source = 'function reward(s, a, n) { return 1 - Math.abs(n.theta) + 0.01 * Math.random(); }';
    const a = evaluateReward(cartpole, source, 4);
    const b = evaluateReward(cartpole, source, 4);
    const c = evaluateReward(cartpole, source, 5);
    expect(a.details.policyParameters).toEqual(b.details.policyParameters);
    expect(a.details.training).toEqual(b.details.training);
    expect(a.score).toBe(b.score);
    expect(c.details.policyParameters).not.toEqual(a.details.policyParameters);
  });

  it('scores a throwing reward 0 with the reason', () => {
    const result = evaluateReward(cartpole, 'function reward(s) { return s.missing.field; }', 1);
    expect(result.score).toBe(0);
    expect(result.details.failure?.kind).toBe('runtime');
    expect(result.details.failure?.reason).toMatch(/TypeError/);
  });

  it('scores a looping reward 0 with the reason', () => {
    const result = evaluateReward(cartpole, 'function reward() { while (true) {} }', 1, {
      rewardTimeoutMs: 150,
    });
    expect(result.score).toBe(0);
    expect(result.details.failure?.kind).toBe('timeout');
    expect(result.details.failure?.reason).toMatch(/150 ms/);
  });

  it('lets a reward that hacks its own objective fail the true objective', () => {
    // Paid for speed every step, the car learns to swing in the valley forever instead of finishing.
    const task = getRewardTask('mountain-car-continuous');
    const hacked = evaluateReward(task, 'function reward(s, a, n) { return 10 * Math.abs(n.velocity); }', 1);
    expect(hacked.score).toBeLessThan(0.2);
    const honest = evaluateReward(task, task.defaultRewardSource, 1);
    expect(honest.score).toBeGreaterThan(0.8);
  });
});
