import { compileReward, RewardError } from '../../../src/domains/reward-design/reward-sandbox';
import { ENVS } from '../../../src/domains/reward-design/envs/registry';
import { act, parameterCount, policyShape } from '../../../src/domains/reward-design/policy';
import { runEpisode } from '../../../src/domains/reward-design/rollout';
import { REWARD_TASKS } from '../../../src/domains/reward-design/tasks';
import { rngFromSeed } from '../../../src/util/random';

const CARTPOLE = { stateFields: ['x', 'xDot', 'theta', 'thetaDot'], timeoutMs: 200 };
const INFO = { terminated: false, truncated: false, step: 0 };

function errorOf(fn: () => unknown): RewardError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RewardError) return error;
    throw error;
  }
  throw new Error('expected a RewardError');
}

describe('compileReward', () => {
  it('passes named state fields, the action and info to reward()', () => {
    const reward = compileReward(
      'function reward(s, a, n, info) { return s.theta * 10 + n.x + a * 100 + (info.terminated ? 1000 : 0) + info.step; }',
      CARTPOLE,
    );
    // 0.5 * 10 + 2 + 1 * 100 + 1000 + 7
    expect(
      reward.call([0, 0, 0.5, 0], 1, [2, 0, 0, 0], { terminated: true, truncated: false, step: 7 }),
    ).toBe(1114);
  });

  it('accepts const/arrow definitions and helpers', () => {
    const reward = compileReward('const w = 2; const reward = (s) => w * Math.abs(s.x);', CARTPOLE);
    expect(reward.call([-1.5, 0, 0, 0], 0, [0, 0, 0, 0], INFO)).toBe(3);
  });

  it('sums rewards per episode over a packed batch', () => {
    const reward = compileReward('function reward(s, a) { return a + 1; }', CARTPOLE);
    const episodeLengths = [3, 1, 2];
    const returns = batchReturns(reward, episodeLengths, (t) => t % 2);
    // actions alternate 0,1,0 | 1 | 0,1 -> rewards 1+2+1 | 2 | 1+2
    expect(returns).toEqual([4, 2, 3]);
  });

  it('reports a function that throws, with the step', () => {
    const reward = compileReward(
      'function reward(s, a, n, i) { if (i.step === 2) throw new Error("boom"); return 0; }',
      CARTPOLE,
    );
    const error = errorOf(() => batchReturns(reward, [4], () => 0));
    expect(error.kind).toBe('runtime');
    expect(error.message).toMatch(/step 2: Error: boom/);
  });

  it('stops an infinite loop in the reward with the timeout', () => {
    const reward = compileReward('function reward() { for (;;) {} }', CARTPOLE);
    expect(errorOf(() => reward.call([0, 0, 0, 0], 0, [0, 0, 0, 0], INFO)).kind).toBe('timeout');
  });

  it('stops an infinite loop at the top level', () => {
    expect(
      errorOf(() => compileReward('while (true) {}\nfunction reward() { return 0; }', CARTPOLE)).kind,
    ).toBe('timeout');
  });

  it('refuses non-finite and non-number results', () => {
    for (const body of ['return NaN;', 'return Infinity;', 'return "1";', 'return undefined;']) {
      const reward = compileReward(`function reward() { ${body} }`, CARTPOLE);
      const error = errorOf(() => reward.call([0, 0, 0, 0], 0, [0, 0, 0, 0], INFO));
      expect(error.kind).toBe('runtime');
      expect(error.message).toMatch(/finite number/);
    }
  });

  it('explains a syntax error, a missing reward and a throwing top level', () => {
    expect(errorOf(() => compileReward('function reward( {', CARTPOLE)).kind).toBe('compile');
    expect(errorOf(() => compileReward('function rewards() { return 1; }', CARTPOLE)).message).toMatch(
      /function named reward/,
    );
    expect(errorOf(() => compileReward('throw new TypeError("nope")', CARTPOLE)).message).toMatch(
      /TypeError: nope/,
    );
  });

  it('gives the reward code no host objects, no eval and no require', () => {
    const escapes = [
      'function reward(s) { return s.constructor.constructor("return process")().pid; }',
      'function reward() { return require("fs") ? 1 : 0; }',
      'function reward() { return eval("1"); }',
      'function reward() { return typeof process === "undefined" ? 0 : 1; }',
    ];
    const outcomes = escapes.map((source) => {
      try {
        return compileReward(source, CARTPOLE).call([0, 0, 0, 0], 0, [0, 0, 0, 0], INFO);
      } catch (error) {
        return (error as RewardError).kind;
      }
    });
    expect(outcomes).toEqual(['runtime', 'runtime', 'runtime', 0]);
  });

  it('seeds Math.random inside the context', () => {
    const source = 'function reward() { return Math.random(); }';
    const draw = (seed: number): number =>
      compileReward(source, { ...CARTPOLE, seed }).call([0, 0, 0, 0], 0, [0, 0, 0, 0], INFO);
    expect(draw(5)).toBe(draw(5));
    expect(draw(5)).not.toBe(draw(6));
  });

  it('runs each default reward source exactly like the host-side objective reward', () => {
    for (const task of REWARD_TASKS) {
      const env = ENVS[task.envId];
      if (!env) throw new Error(task.envId);
      expect(task.stateFields.map((f) => f.name)).toEqual(env.stateFields);
      const reward = compileReward(task.defaultRewardSource, { stateFields: env.stateFields });
      const shape = policyShape(env, task.training.hidden);
      const rng = rngFromSeed(11);
      const params = Array.from({ length: parameterCount(shape) }, () => rng.normal());
      let state: readonly number[] = env.reset(rng);
      for (let step = 0; step < 60; step++) {
        const action = act(shape, params, env.observe(state));
        const { state: next, terminated } = env.step(state, action);
        const viaSource = reward.call(env.rewardView(state), action, env.rewardView(next), {
          terminated,
          truncated: false,
          step,
        });
        expect(viaSource).toBeCloseTo(env.defaultReward(state, action, next, terminated), 10);
        if (terminated) break;
        state = next;
      }
    }
  });
});

function batchReturns(
  reward: ReturnType<typeof compileReward>,
  episodeLengths: readonly number[],
  actionAt: (t: number) => number,
): number[] {
  const env = ENVS['CartPole-v1'];
  if (!env) throw new Error('CartPole-v1 missing');
  const stride = 2 * 4 + 4;
  const total = episodeLengths.reduce((a, b) => a + b, 0);
  const data = new Float64Array(total * stride);
  const ends: number[] = [];
  let t = 0;
  for (const length of episodeLengths) {
    for (let step = 0; step < length; step++, t++) {
      data[t * stride + 4] = actionAt(t);
      data[t * stride + 2 * 4 + 3] = step;
    }
    ends.push(t);
  }
  return reward.episodeReturns(data, total, ends);
}

describe('runEpisode', () => {
  it('counts the Gymnasium return of a policy that always pushes left', () => {
    const env = ENVS['CartPole-v1'];
    if (!env) throw new Error('CartPole-v1 missing');
    const shape = policyShape(env, []);
    const outcome = runEpisode(env, shape, [0, 0, 0, 0, 0], [0, 0, 0, 0], 500);
    // +1 per step, the terminating step included
    expect(outcome.trueReturn).toBe(outcome.steps);
    expect(outcome.terminated).toBe(true);
    expect(outcome.steps).toBeLessThan(20);
  });
});
