import { parseRunConfig } from '../../src/engine/runConfig';
import type { GenerationResult, RunState } from '../../src/engine/types';
import { generationSummary, outcomeLine, runDetails, shortNode } from '../../workflows/summaries';

/** The Temporal UI's lines (workflows/summaries.ts): pure, deterministic. */
const config = parseRunConfig({ domains: ['paper-review', 'coding'], seed: 's' });

function result(over: Partial<GenerationResult> = {}): GenerationResult {
  return {
    nodeId: 'gen-00007',
    generation: 7,
    parentId: 'gen-00003',
    eligible: true,
    score: 0.6,
    perDomain: { 'paper-review': 0.61, coding: 0.59 },
    costUsd: 0,
    tokens: 0,
    metaChanged: true,
    ...over,
  };
}

test('a generation in a line', () => {
  expect(shortNode('gen-00042')).toBe('gen-42');
  expect(shortNode(null)).toBe('none');
  expect(generationSummary('run-x', 7, config)).toBe('gen-7 of run-x · dgm-h · paper-review, coding');
  expect(outcomeLine(result())).toBe('gen-7 from gen-3 · meta changed · paper-review 0.61, coding 0.59');
  expect(
    outcomeLine(
      result({
        metaChanged: false,
        eligible: false,
        perDomain: {},
        note: 'the program\n[printed](http://x)',
        approval: { nodeId: 'gen-00007', generation: 7, reason: 'meta-changed', perDomain: {} },
      }),
    ),
  ).toBe('gen-7 from gen-3 · not eligible · awaiting approval (meta-changed)');
});

test("the run's current details say what it is doing", () => {
  const state = {
    runId: 'run-x',
    startedAtMs: 0,
    generationsStarted: 5,
    generationsDone: 3,
    bestNodeId: 'gen-00002',
    bestScore: 0.5,
    bestPerDomain: {},
    spentUsd: 0.25,
    spentTokens: 0,
    budget: { generations: 10 },
    pending: [],
    decided: {},
    paused: false,
    failures: 0,
  } satisfies RunState;
  expect(runDetails(state, config, [5, 4])).toBe(
    'running gen-4, gen-5 · 3/10 generations done · best gen-2 0.50 · $0.2500 spent · dgm-h on paper-review, coding',
  );
  expect(runDetails({ ...state, stopReason: 'generation budget reached' }, config, [])).toMatch(
    /^finished: generation budget reached · /,
  );
});
