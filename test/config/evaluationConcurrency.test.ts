import { evaluationConcurrency, parseRunConfig } from '../../src/engine/runConfig';

/** `run.evaluation.concurrency`: tasks of a batch run at once, per domain, validated with clear messages. */

test('the per-domain setting wins, then the run default, then the domain, then 4', () => {
  const config = parseRunConfig({
    domains: ['a', 'b'],
    evaluation: { concurrency: { default: 6, perDomain: { a: 2 } } },
  });
  expect(evaluationConcurrency(config, { name: 'a', concurrency: 8 })).toBe(2);
  expect(evaluationConcurrency(config, { name: 'b', concurrency: 8 })).toBe(6);
  const unset = parseRunConfig({ domains: ['a'] });
  expect(evaluationConcurrency(unset, { name: 'a', concurrency: 8 })).toBe(8);
  expect(evaluationConcurrency(unset, { name: 'a' })).toBe(4);
});

test('a bad setting is refused with a message naming it', () => {
  expect(() => parseRunConfig({ domains: ['a'], evaluation: { concurrency: { default: 0 } } })).toThrow(
    /run\.evaluation\.concurrency\.default: .*>=1/,
  );
  expect(() =>
    parseRunConfig({ domains: ['a'], evaluation: { concurrency: { perDomain: { nope: 2 } } } }),
  ).toThrow("run.evaluation.concurrency.perDomain.nope: 'nope' is not one of the run's domains (a)");
});
