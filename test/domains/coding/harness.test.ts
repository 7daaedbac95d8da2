/** Runs the real harness.mjs as a child process with node, then scores on the host. */
import {
  buildCodingTask,
  DEFAULT_HARNESS_LIMITS,
  isHarnessFailure,
  scoreExercise,
  type CodingTask,
  type HarnessLimits,
} from '../../../src/domains/coding';
import * as f from './fixtures';
import { runModule } from './fixtures';

const task = (slug: string): CodingTask => {
  const t = buildCodingTask(f.source.readExercise(slug));
  if (t === null) throw new Error(`no task for ${slug}`);
  return t;
};

async function score(slug: string, moduleSource: string, limits: HarnessLimits = DEFAULT_HARNESS_LIMITS) {
  const cases = task(slug).label.cases;
  const response = await runModule(moduleSource, cases, limits);
  return scoreExercise(cases, response);
}

describe('correct and incorrect modules through the real harness', () => {
  it('hamming: correct 6/6; without length checks only the 2 value cases of 6 pass', async () => {
    const good = await score('hamming', f.hammingCorrect);
    expect([good.passed, good.total, good.solved]).toEqual([6, 6, true]);
    const bad = await score('hamming', f.hammingNoValidation);
    expect([bad.passed, bad.total, bad.fraction, bad.solved]).toEqual([2, 6, 2 / 6, false]);
    expect(bad.cases.filter((c) => !c.passed).map((c) => c.reason)).toEqual(
      Array(4).fill('expected a throw, got returned'),
    );
  });

  it('all-your-base: error messages are reported, and scored only when required', async () => {
    const good = await score('all-your-base', f.allYourBaseCorrect);
    expect([good.passed, good.total]).toEqual([18, 18]);
    expect(good.cases.filter((c) => c.errorMessageMatches === true)).toHaveLength(9);

    const cases = task('all-your-base').label.cases;
    const response = await runModule(f.allYourBaseWrongMessages, cases);
    const lenient = scoreExercise(cases, response);
    expect([lenient.passed, lenient.total]).toEqual([18, 18]);
    expect(lenient.cases.filter((c) => c.errorMessageMatches === false)).toHaveLength(9);
    const strict = scoreExercise(cases, response, { relativeTolerance: 1e-9, requireErrorMessage: true });
    expect([strict.passed, strict.fraction]).toEqual([9, 0.5]);
  });

  it('clock (four functions, default export): correct 49/49; equal() always true fails the 2 unequal pairs', async () => {
    const good = await score('clock', f.clockCorrect);
    expect([good.passed, good.total]).toEqual([49, 49]);
    const bad = await score('clock', f.clockEqualAlwaysTrue);
    expect([bad.passed, bad.total]).toEqual([47, 49]);
  });

  it('rational-numbers (nested groups, 8 functions): correct 40/40; identity abs fails 4', async () => {
    const good = await score('rational-numbers', f.rationalCorrect);
    expect([good.passed, good.total]).toEqual([40, 40]);
    const bad = await score('rational-numbers', f.rationalAbsIdentity);
    expect([bad.passed, bad.total, bad.fraction]).toEqual([36, 40, 0.9]);
  });
});

describe('hostile modules are contained', () => {
  const fast = { ...DEFAULT_HARNESS_LIMITS, timeoutMs: 400, loadTimeoutMs: 2000 };

  it('an infinite loop on one case times out that case only', async () => {
    const result = await score('hamming', f.hammingLoopsOnce, fast);
    expect([result.passed, result.total]).toEqual([5, 6]);
    const looping = result.cases.find((c) => !c.passed);
    expect(looping?.status).toBe('timeout');
  });

  it('a module slow on every call is stopped by the run budget', async () => {
    const result = await score('hamming', 'export function distance() { for (;;) {} }', {
      ...fast,
      timeoutMs: 300,
      budgetMs: 500,
    });
    expect(result.fraction).toBe(0);
    expect(result.cases.every((c) => c.status === 'timeout')).toBe(true);
    // Six calls of 300 ms cannot all start within 500 ms: the last one is never run.
    expect(result.cases[5]?.reason).toMatch(/time budget of the whole run exhausted$/);
  });

  it('a module that throws on import scores 0 with the load error', async () => {
    const result = await score(
      'hamming',
      'throw new Error("boom at import");\nexport const distance = () => 0;',
    );
    expect(result.fraction).toBe(0);
    expect(result.loadError).toBe('boom at import');
    expect(new Set(result.cases.map((c) => c.status))).toEqual(new Set(['not-loaded']));
  });

  it('a module that loops forever at import times out its load', async () => {
    const result = await score('hamming', 'for (;;) {}', fast);
    expect(result.fraction).toBe(0);
    expect(result.loadError).toBe('load timed out');
  });

  it('syntax errors, wrong types, missing exports and exits are scored, not fatal', async () => {
    expect((await score('hamming', 'export function distance( {')).loadError).toMatch(
      /Unexpected|SyntaxError|token/i,
    );
    const cases = task('hamming').label.cases.slice(0, 2); // expected 0 and 9
    const moduleSource = [
      'let calls = 0;',
      'export function distance() {',
      '  calls++;',
      '  if (calls === 1) return new Map();',
      '  process.exit(1);',
      '}',
    ].join('\n');
    const response = await runModule(moduleSource, cases);
    if (isHarnessFailure(response)) throw new Error(response.failure);
    expect(response.results.map((r) => r.status)).toEqual(['unrepresentable', 'crashed']);
    const missing = await runModule('export const other = 1;', cases);
    if (isHarnessFailure(missing)) throw new Error(missing.failure);
    expect(missing.results.map((r) => r.status)).toEqual(['missing-export', 'missing-export']);
  });

  it('a module that kills the whole harness process fails every case; the host carries on', async () => {
    const result = await score(
      'hamming',
      'export function distance() { process.kill(process.pid, "SIGKILL"); }',
    );
    expect(result.fraction).toBe(0);
    expect(result.cases.every((c) => c.status === 'harness-failed')).toBe(true);
  });

  it('the module output does not corrupt the harness output', async () => {
    const noisy = 'console.log("}{ not json"); process.stdout.write("garbage\\n");\n' + f.hammingCorrect;
    const result = await score('hamming', noisy);
    expect([result.passed, result.total]).toEqual([6, 6]);
  });
});
