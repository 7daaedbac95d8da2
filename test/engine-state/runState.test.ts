import { ARCHIVE_LOG_WINDOW, changedSince } from '../../src/archive/changes';
import {
  applyDecision,
  archiveViewFor,
  generationAllowance,
  splitBudget,
  initialState,
  parseRunConfig,
  recordFailedGeneration,
  recordGeneration,
  recordHeldOut,
  withArchiveLog,
} from '../../src/engine';

const state = {
  ...initialState('r', parseRunConfig({}), 0),
  spentUsd: 1,
  spentTokens: 100,
  generationsDone: 4,
};
const scores = { 'gen-00000': { a: 0.2, b: 0.4 }, 'gen-00003': { a: 0.6, b: 0.8 } };

describe('recordHeldOut', () => {
  test('adds the evaluation cost to the run and reports imp@k', () => {
    const next = recordHeldOut(state, 'gen-00000', 'gen-00003', { scores, costUsd: 0.5, tokens: 50 });
    expect([next.spentUsd, next.spentTokens]).toEqual([1.5, 150]);
    expect(next.test).toMatchObject({ start: scores['gen-00000'], best: scores['gen-00003'], k: 4 });
    expect(next.test!.impAtK).toBeCloseTo(0.4, 12);
  });

  test('replays the shapes of older histories: bare scores, or nothing', () => {
    const bare = recordHeldOut(state, 'gen-00000', 'gen-00003', scores);
    expect([bare.spentUsd, bare.test!.impAtK]).toEqual([1, expect.closeTo(0.4, 12) as unknown]);
    const none = recordHeldOut(state, 'gen-00000', 'gen-00003', undefined);
    expect(none.test).toMatchObject({ start: {}, best: {}, impAtK: 0 });
  });
});

test('a generation that ran into the LLM budget stops the run with its reason', () => {
  const result = {
    nodeId: 'gen-00002',
    generation: 2,
    parentId: 'gen-00001',
    eligible: false,
    perDomain: {},
    costUsd: 0.1,
    tokens: 10,
    metaChanged: false,
    stop: 'LLM budget exhausted during evaluation of gen-00002: run USD budget exceeded',
  };
  const next = recordGeneration(state, result);
  expect(next.stopReason).toBe(result.stop);
  // An earlier reason is kept.
  expect(recordGeneration({ ...state, stopReason: 'paused for good' }, result).stopReason).toBe(
    'paused for good',
  );
});

describe('generationAllowance', () => {
  const run = { ...initialState('r', parseRunConfig({ budget: { usd: 10, tokens: 1000 } }), 0), spentUsd: 2 };

  test('a serial run gives the next generation all that is left', () => {
    expect(generationAllowance(run, [], 1)).toEqual({ usd: 8, tokens: 1000 });
  });

  test('parallel generations share what is left, so together they never hold more than the run has', () => {
    const reserved: Array<{ usd?: number; tokens?: number }> = [];
    for (let i = 0; i < 4; i++) reserved.push(generationAllowance(run, reserved, 4));
    expect(reserved.map((r) => r.usd)).toEqual([2, 2, 2, 2]);
    expect(reserved.map((r) => r.tokens)).toEqual([250, 250, 250, 250]);
    // One returns: the next one gets what it freed, not the run's whole remainder.
    expect(generationAllowance(run, reserved.slice(1), 4)).toEqual({ usd: 2, tokens: 250 });
  });

  test('no limit stays no limit', () => {
    expect(generationAllowance(initialState('r', parseRunConfig({}), 0), [{}], 2)).toEqual({});
  });
});

test('a held-out evaluation with refused or failed calls says so in the report', () => {
  const incomplete = ['gen-00003 a/test: 2 LLM call(s) failed: upstream error'];
  const next = recordHeldOut(state, 'gen-00000', 'gen-00003', { scores, costUsd: 0, tokens: 0, incomplete });
  expect(next.test!.incomplete).toEqual(incomplete);
  expect(
    recordHeldOut(state, 'gen-00000', 'gen-00003', { scores, costUsd: 0, tokens: 0 }).test,
  ).not.toHaveProperty('incomplete');
});

describe('the archive change log', () => {
  const result = (nodeId: string, parentId: string | null) => ({
    nodeId,
    generation: 1,
    parentId,
    eligible: true,
    score: 0.5,
    perDomain: {},
    costUsd: 0,
    tokens: 0,
    metaChanged: false,
  });

  test('numbers every change a run learns of: a generation (its node and parent), a failure, a decision, the held-out test', () => {
    let s = withArchiveLog(initialState('r', parseRunConfig({}), 0), 'e1');
    s = recordGeneration(s, result('gen-00000', null));
    s = recordGeneration(s, result('gen-00001', 'gen-00000'));
    s = recordFailedGeneration(s, undefined);
    s = applyDecision(s, 'gen-00001', 'approved');
    s = recordHeldOut(s, 'gen-00000', 'gen-00001', undefined);
    expect(s.archive).toEqual({
      epoch: 'e1',
      revision: 5,
      changes: [
        [1, ['gen-00000']],
        [2, ['gen-00001', 'gen-00000']],
        [3, null],
        [4, ['gen-00001']],
        [5, ['gen-00000', 'gen-00001']],
      ],
    });
    expect(changedSince(s.archive!, 3)).toEqual(['gen-00001', 'gen-00000']);
    expect(changedSince(s.archive!, 2)).toBe('all');
    expect(changedSince(s.archive!, 5)).toEqual([]);
    expect(withArchiveLog(s, 'e2').archive?.epoch).toBe('e1');
    // A generation is told the log and the nodes running beside it.
    expect(archiveViewFor(s, 7, [5, 7, 6])).toMatchObject({
      revision: 5,
      inFlight: ['gen-00005', 'gen-00006'],
    });
  });

  test('keeps the latest changes only; a run recorded before the log keeps none', () => {
    let s = withArchiveLog(initialState('r', parseRunConfig({}), 0), 'e1');
    for (let i = 0; i < ARCHIVE_LOG_WINDOW + 10; i++) s = applyDecision(s, 'gen-00001', 'approved');
    expect(s.archive!.changes).toHaveLength(ARCHIVE_LOG_WINDOW);
    expect(changedSince(s.archive!, 10)).toEqual(['gen-00001']);
    expect(changedSince(s.archive!, 9)).toBe('all');
    const old = recordGeneration(initialState('r', parseRunConfig({}), 0), result('gen-00000', null));
    expect(old.archive).toBeUndefined();
    expect(archiveViewFor(old, 1, [])).toBeUndefined();
  });
});

describe('splitBudget', () => {
  test('even shares that together never exceed what is left, whole tokens', () => {
    expect(splitBudget({ usd: 1, tokens: 101 }, 4)).toEqual({ usd: 0.25, tokens: 25 });
  });
  test('an overspent remainder gives shares of zero, not negative ones', () => {
    expect(splitBudget({ usd: -0.5, tokens: -3 }, 2)).toEqual({ usd: 0, tokens: 0 });
  });
  test('no parts is one part; no limit stays no limit', () => {
    expect(splitBudget({ usd: 3 }, 0)).toEqual({ usd: 3 });
    expect(splitBudget({}, 3)).toEqual({});
  });
});
