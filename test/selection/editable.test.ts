import {
  EDITABLE_SELECTOR_SCHEMA,
  editableSelectorInput,
  resolveEditableChoice,
  rngFor,
  type Candidate,
} from '../../src/selection';
import { fixedRng, nodes, snapshot } from './fixtures';

/** Walks a JSON value and collects every object key, however deep. */
function allKeys(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => allKeys(v, into));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      into.push(k);
      allKeys(v, into);
    }
  }
  return into;
}

describe('editable selector input', () => {
  // Validation scores with values that appear nowhere else, plus a test score smuggled in as an
  // extra property (as a careless caller might): none of it may reach the selector.
  const secretVal = 0.123456789;
  const leaky = {
    domains: ['alpha', 'beta'],
    candidates: [
      ...nodes,
      {
        id: 'S',
        generation: 5,
        childCount: 2,
        eligible: true,
        scores: {
          alpha: { train: 0.25, val: secretVal, test: 0.987654321 },
          beta: { train: 0.75, val: secretVal },
        },
        testScore: 0.555555555,
        labels: ['yes'],
      } as Candidate,
    ],
  };

  test('carries train scores only: no val/test fields or values, no labels', () => {
    const input = editableSelectorInput(leaky, 6, rngFor('editable', 6));
    const text = JSON.stringify(input);
    const keys = allKeys(JSON.parse(text));
    for (const forbidden of ['val', 'validation', 'test', 'testScore', 'labels', 'scores', 'eligible'])
      expect(keys).not.toContain(forbidden);
    expect(text).not.toContain('0.123456789');
    expect(text).not.toContain('0.987654321');
    expect(text).not.toContain('0.555555555');
    expect(text).not.toContain('yes');
  });

  test('lists the eligible nodes with their train scores and train mean', () => {
    const input = editableSelectorInput(leaky, 6, fixedRng());
    expect(input.schema).toBe(EDITABLE_SELECTOR_SCHEMA);
    expect(input.generation).toBe(6);
    expect(input.domains).toEqual(['alpha', 'beta']);
    expect(input.candidates.map((c) => c.id)).toEqual(['A', 'B', 'C', 'D', 'S']); // E ineligible
    // A: alpha train 0.1, beta train 0.1 → mean 0.1 (its alpha val 0.3 is not shown).
    expect(input.candidates[0]).toEqual({
      id: 'A',
      generation: 0,
      childCount: 3,
      trainScores: { alpha: 0.1, beta: 0.1 },
      trainMean: 0.1,
    });
    // B has no alpha train score (only val) → null, and no mean.
    expect(input.candidates[1]!.trainScores).toEqual({ alpha: null, beta: 0.4 });
    expect(input.candidates[1]!.trainMean).toBeNull();
    // S: (0.25 + 0.75) / 2 = 0.5.
    expect(input.candidates[4]!.trainMean).toBe(0.5);
  });

  test('the seed comes from the run stream, so it replays', () => {
    expect(editableSelectorInput(snapshot, 2, rngFor('r', 2)).seed).toBe(
      editableSelectorInput(snapshot, 2, rngFor('r', 2)).seed,
    );
    expect(editableSelectorInput(snapshot, 2, rngFor('r', 2)).seed).not.toBe(
      editableSelectorInput(snapshot, 2, rngFor('r', 3)).seed,
    );
  });
});

describe('editable selector output', () => {
  test('a valid answer (object or stdout JSON) is taken as is', () => {
    for (const output of [{ parentId: 'B' }, '{"parentId":"B"}\n']) {
      const result = resolveEditableChoice({ output }, snapshot, fixedRng());
      expect(result).toEqual({ policy: 'editable', nodeId: 'B', probabilities: { A: 0, B: 1, C: 0, D: 0 } });
    }
  });

  // Fallback: score_child_prop with u = 0.5 → cumulative A 0.0101, B 0.1815, C 0.8736 → C.
  test.each([
    [{ output: { parentId: 'E' } }, /'E' is not eligible/],
    [{ output: { parentId: 'Z' } }, /'Z' is not in the archive/],
    [{ output: 'not json' }, /not JSON/],
    [{ output: ['A'] }, /not a JSON object/],
    [{ output: { parent: 'A' } }, /no string parentId/],
    [{ failure: 'timed out after 30 s' }, /selector failed: timed out/],
  ])('%j falls back to the default policy and records why', (outcome, why) => {
    const result = resolveEditableChoice(outcome, snapshot, fixedRng(0.5));
    expect(result.policy).toBe('score_child_prop');
    expect(result.nodeId).toBe('C');
    expect(result.probabilities.C).toBeCloseTo(0.692184, 5);
    expect(result.fallback).toMatch(why);
    expect(result.fallback).toMatch(/used score_child_prop instead/);
  });

  test('the fallback policy can be chosen', () => {
    const result = resolveEditableChoice({ failure: 'crash' }, snapshot, fixedRng(0.5), 'best');
    expect(result).toMatchObject({ policy: 'best', nodeId: 'C' });
  });
});
