import { sandboxUntrustedRunner } from '../../src/agent/sandboxRunners';
import type { UntrustedRunRequest, UntrustedRunner } from '../../src/domains/contract';
import { createRewardDesignDomain } from '../../src/domains/reward-design/domain';
import { evaluateReward } from '../../src/domains/reward-design/evaluate';
import { getRewardTask } from '../../src/domains/reward-design/tasks';
import type { Sandbox } from '../../src/sandbox';
import { cleanHost, hostState, leftSince } from './hostState';
import { backends, docker, limits, observedLog } from './suite';

/**
 * reward-design's scoring against a reward function that escapes `node:vm` (the rejection of
 * `import()` is a host-realm error, so its constructor's constructor is the real `Function`) and
 * then owns the runner process in the sandbox: it reads every input and writes the output itself.
 * Whatever it does, the score must be what honest training on the reward values it returned gives,
 * on evaluation episodes whose seed the sandbox never received.
 */

jest.setTimeout(120_000);

const record = observedLog('reward');
const task = getRewardTask('cartpole-balance');
/** The host-only label seed: the evaluation episodes are drawn from it. */
const label = { taskId: task.id, seed: 3_141_592_653 };
const ZERO_REWARD = 'function reward() { return 0; }';
const episodesPerIteration = task.training.cem.population * task.training.episodesPerCandidate;

/**
 * Escapes the vm at load time, reports that it holds the real `process`, then replaces the runner's
 * output with a policy tuned on the scoring episodes (the old protocol's `policyParameters`, with a
 * perfect reported score) plus well-formed all-zero reward returns (the new protocol's only input),
 * and exits before any training. `reward` itself returns 0.
 */
function forgingReward(tuned: readonly number[]): string {
  const forged = {
    score: 1,
    details: { envId: task.envId, trainMs: 1, scoreMs: 0, policyParameters: tuned, training: [] },
    returns: Array.from({ length: task.training.cem.iterations }, () =>
      new Array<number>(episodesPerIteration).fill(0),
    ),
    trainMs: 1,
  };
  return `const FORGED = ${JSON.stringify(forged)};
import('x').catch((e) => {
  const p = e.constructor.constructor('return process')();
  const fs = p.mainModule.require('fs');
  const seen = fs.readdirSync('.', { recursive: true }).filter((f) => f.endsWith('.json'))
    .map((f) => fs.readFileSync(f, 'utf8')).join('\\n');
  fs.writeSync(2, 'escaped: real process pid ' + p.pid + '\\n' + seen + '\\n');
  fs.writeSync(1, JSON.stringify(FORGED) + '\\n');
  p.exit(0);
});
${ZERO_REWARD}
`;
}

/** The session inputs (file names, or `command`) whose text contains `seed`. */
function carrying(requests: readonly UntrustedRunRequest[], seed: number): string[] {
  return requests.flatMap((request) => [
    ...Object.entries(request.files)
      .filter(([, content]) => content.includes(String(seed)))
      .map(([name]) => name),
    ...(request.command.join(' ').includes(String(seed)) ? ['command'] : []),
  ]);
}

describe.each(backends)(
  '%s: a reward function that escapes node:vm cannot raise its score',
  (backend, make) => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await make();
    });

    /** The domain's runner on this backend, recording what each session received and wrote to stderr. */
    function capturing(): { run: UntrustedRunner; requests: UntrustedRunRequest[]; stderr: string[] } {
      const inner = sandboxUntrustedRunner(async () => sandbox, limits);
      const requests: UntrustedRunRequest[] = [];
      const stderr: string[] = [];
      const run: UntrustedRunner = async (request) => {
        requests.push(request);
        const before = await hostState(docker);
        const result = await inner(request);
        stderr.push(result.stderr);
        expect(await leftSince(docker, before)).toEqual(cleanHost());
        return result;
      };
      return { run, requests, stderr };
    }

    test('forged runner output (tuned policy parameters) scores what its returned rewards earn, no more', async () => {
      const honestDefault = evaluateReward(task, task.defaultRewardSource, label.seed);
      const honestZero = evaluateReward(task, ZERO_REWARD, label.seed);
      // The tuned policy is good on the scoring episodes: forging it used to be worth it.
      expect(honestDefault.score).toBeGreaterThan(0.9);
      expect(honestZero.score).toBeLessThan(0.2);

      const domain = createRewardDesignDomain();
      const { run, requests, stderr } = capturing();
      const verdict = await domain.score(forgingReward(honestDefault.details.policyParameters), label, {
        taskId: 't',
        runUntrusted: run,
      });
      record(
        'reward escapes node:vm and forges the runner output',
        backend,
        `escaped=${stderr.some((s) => s.includes('escaped: real process'))}, score ${verdict.score.toFixed(3)} ` +
          `(zero reward ${honestZero.score.toFixed(3)}, default ${honestDefault.score.toFixed(3)})`,
      );
      // node:vm is no boundary: the reward code did get the real process inside the sandbox ...
      expect(stderr.join('')).toMatch(/escaped: real process pid \d+/);
      // ... and all it gained is what honest training on its returned rewards (all 0) gives.
      expect(verdict.score).toBe(honestZero.score);
      expect(verdict.score).toBeLessThanOrEqual(honestDefault.score);
      // The evaluation seed was in nothing the session received (files, command).
      expect(requests).toHaveLength(1);
      expect(carrying(requests, label.seed)).toEqual([]);
    });

    test('an honest reward scores the same through the sandbox as in process', async () => {
      const domain = createRewardDesignDomain();
      const { run, requests } = capturing();
      const verdict = await domain.score(task.defaultRewardSource, label, { taskId: 't', runUntrusted: run });
      expect(verdict.score).toBe(evaluateReward(task, task.defaultRewardSource, label.seed).score);
      expect(verdict.score).toBeGreaterThan(0.9);
      expect(carrying(requests, label.seed)).toEqual([]);
    });
  },
);
