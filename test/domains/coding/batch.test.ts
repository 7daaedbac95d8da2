/**
 * Scoring a batch of exercises in one harness session gives exactly what scoring each exercise in a
 * session of its own gives, for correct, wrong, throwing, timing-out and harness-killing modules.
 */
import {
  buildCodingTask,
  createCodingDomain,
  DEFAULT_HARNESS_LIMITS,
  type CodingLabel,
  type CodingTask,
} from '../../../src/domains/coding';
import type { ScoreItem, TaskScore, UntrustedRunner } from '../../../src/domains/contract';
import { localProcessRunner } from '../../../src/domains/reward-design/local-runner';
import * as f from './fixtures';

jest.setTimeout(120_000);

const task = (slug: string): CodingTask => buildCodingTask(f.source.readExercise(slug)) as CodingTask;
const limits = { ...DEFAULT_HARNESS_LIMITS, timeoutMs: 400, loadTimeoutMs: 2000, budgetMs: 3000 };

/** Module, exercise, and the score each gets alone (as harness.test.ts establishes one by one). */
const MODULES: Array<[source: string, slug: string, score: number]> = [
  [f.hammingCorrect, 'hamming', 1],
  [f.hammingNoValidation, 'hamming', 2 / 6],
  [f.hammingLoopsOnce, 'hamming', 5 / 6],
  ['throw new Error("boom at import");\nexport const distance = () => 0;', 'hamming', 0],
  ['export function distance( {', 'hamming', 0],
  ['export function distance() { process.kill(process.pid, "SIGKILL"); }', 'hamming', 0],
  ['export function distance() { for (;;) {} }', 'hamming', 0],
  [f.allYourBaseWrongMessages, 'all-your-base', 1],
  [f.clockEqualAlwaysTrue, 'clock', 47 / 49],
  ['export const distance = () => { throw new Error("no"); };', 'hamming', 4 / 6],
  ['process.exit(1);', 'hamming', 0],
  [f.rationalAbsIdentity, 'rational-numbers', 0.9],
];

function items(): ScoreItem<CodingLabel>[] {
  return MODULES.map(([prediction, slug], i) => ({
    taskId: `${slug}-${i}`,
    prediction,
    label: task(slug).label,
  }));
}

/** Scores the items with the domain's batching, counting the harness sessions. */
async function scoreAll(batchSize: number, sessions: number): Promise<{ scores: TaskScore[]; runs: number }> {
  let runs = 0;
  const counting: UntrustedRunner = (request) => {
    runs += 1;
    return localProcessRunner(request);
  };
  const domain = createCodingDomain({ limits, batchSize, sessions });
  // On the host: the counting runner stands in for the sandbox's.
  const scores = await domain.scoreMany!(items(), { runUntrusted: counting });
  return { scores, runs };
}

describe('batched coding scoring', () => {
  it('gives every exercise the same score and verdicts as a session per exercise', async () => {
    const alone = await scoreAll(1, 2);
    expect(alone.runs).toBe(MODULES.length);
    expect(alone.scores.map((s) => s.score)).toEqual(MODULES.map(([, , score]) => score));

    const batched = await scoreAll(32, 1);
    // One session for the batch, and one more after the module that killed the harness.
    expect(batched.runs).toBe(2);
    expect(batched.scores).toEqual(alone.scores);

    // Two sessions of six: the harness-killing module is the last of the first, so none is re-run.
    const two = await scoreAll(6, 2);
    expect(two.runs).toBe(2);
    expect(two.scores).toEqual(alone.scores);
  });

  it('the harness-killing exercise fails as a harness failure; the ones after it are scored', async () => {
    const { scores } = await scoreAll(32, 1);
    const killed = scores[5]!.details as { cases: Array<{ status: string; reason?: string }> };
    expect(new Set(killed.cases.map((c) => c.status))).toEqual(new Set(['harness-failed']));
    expect(killed.cases[0]!.reason).toMatch(/^harness exited with null/);
    expect(scores.slice(6).map((s) => s.score)).toEqual(MODULES.slice(6).map(([, , score]) => score));
  });

  it('a prediction that is no module scores 0 without a session; `score` is a batch of one', async () => {
    const domain = createCodingDomain({ limits, allowHostExecution: true });
    const label = task('hamming').label;
    const [none, good] = await domain.scoreMany!(
      [
        { taskId: 'a', prediction: 42, label },
        { taskId: 'b', prediction: f.hammingCorrect, label },
      ],
      {},
    );
    expect(none).toEqual({
      score: 0,
      details: { error: 'prediction must be the module source as a non-empty string' },
    });
    expect(good!.score).toBe(1);
    // A batch with nothing to run starts no session.
    const [empty] = await domain.scoreMany!([{ taskId: 'c', prediction: ' ', label }], {});
    expect(empty!.score).toBe(0);
    expect(await domain.scoreMany!([], {})).toEqual([]);
    expect(await domain.score(f.hammingCorrect, label, { taskId: 'b' })).toEqual(good);
  });
});
