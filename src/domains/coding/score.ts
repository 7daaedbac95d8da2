/** Host-side scoring: the harness's per-call results against the hidden expected values. */
import { isErrorExpectation } from './canonical';
import { DEFAULT_COMPARE_OPTIONS, jsonEqual, type CompareOptions } from './compare';
import type { CallResult, CallStatus, HarnessResponse } from './protocol';
import type { HiddenCase } from './task';

export interface ScoreOptions extends CompareOptions {
  /** When true, an error case passes only if the thrown message equals the expected one. */
  requireErrorMessage: boolean;
}

export const DEFAULT_SCORE_OPTIONS: ScoreOptions = { ...DEFAULT_COMPARE_OPTIONS, requireErrorMessage: false };

export interface CaseVerdict {
  uuid: string;
  passed: boolean;
  /** What the call did; `missing` when the harness gave no result for it. */
  status: CallStatus | 'missing' | 'harness-failed';
  /** For error cases: whether the thrown message equals the expected one (reported, scored only if required). */
  errorMessageMatches?: boolean;
  /** Why it failed, in a few words. */
  reason?: string;
}

export interface ExerciseScore {
  /** Fraction of hidden cases passed, in [0, 1]. */
  fraction: number;
  passed: number;
  total: number;
  solved: boolean;
  loadError?: string;
  cases: CaseVerdict[];
}

export function judgeCase(
  c: HiddenCase,
  result: CallResult | undefined,
  options = DEFAULT_SCORE_OPTIONS,
): CaseVerdict {
  if (result === undefined) return { uuid: c.uuid, passed: false, status: 'missing', reason: 'no result' };
  const base = { uuid: c.uuid, status: result.status };
  if (isErrorExpectation(c.expected)) {
    if (result.status !== 'threw')
      return {
        ...base,
        passed: false,
        reason: `expected a throw, got ${result.status}${result.error !== undefined ? `: ${result.error}` : ''}`,
      };
    const errorMessageMatches = result.error === c.expected.error;
    const passed = errorMessageMatches || !options.requireErrorMessage;
    return { ...base, passed, errorMessageMatches, ...(passed ? {} : { reason: 'wrong error message' }) };
  }
  if (result.status !== 'returned') return { ...base, passed: false, reason: result.error ?? result.status };
  return jsonEqual(c.expected, result.value, options)
    ? { ...base, passed: true }
    : { ...base, passed: false, reason: 'wrong value' };
}

/** Scores one exercise. `response` is a failure message when the harness itself did not run. */
export function scoreExercise(
  cases: readonly HiddenCase[],
  response: HarnessResponse | { failure: string },
  options = DEFAULT_SCORE_OPTIONS,
): ExerciseScore {
  let verdicts: CaseVerdict[];
  let loadError: string | undefined;
  if ('failure' in response) {
    loadError = response.failure;
    verdicts = cases.map((c) => ({
      uuid: c.uuid,
      passed: false,
      status: 'harness-failed',
      reason: response.failure,
    }));
  } else {
    if (!response.load.ok) loadError = response.load.error ?? 'module did not load';
    const byId = new Map(response.results.map((r) => [r.id, r]));
    verdicts = cases.map((c) => judgeCase(c, byId.get(c.uuid), options));
  }
  const passed = verdicts.filter((v) => v.passed).length;
  const total = cases.length;
  return {
    fraction: total === 0 ? 0 : passed / total,
    passed,
    total,
    solved: total > 0 && passed === total,
    ...(loadError !== undefined ? { loadError } : {}),
    cases: verdicts,
  };
}

export interface CodingAggregate {
  exercises: number;
  /** Mean over exercises of the fraction of hidden cases passed. */
  meanFraction: number;
  /** Fraction of exercises with every hidden case passed. */
  solvedFraction: number;
  casesPassed: number;
  casesTotal: number;
}

export function aggregateScores(
  scores: readonly Pick<ExerciseScore, 'fraction' | 'solved' | 'passed' | 'total'>[],
): CodingAggregate {
  const n = scores.length;
  const sum = (f: (s: (typeof scores)[number]) => number): number => scores.reduce((a, s) => a + f(s), 0);
  return {
    exercises: n,
    meanFraction: n === 0 ? 0 : sum((s) => s.fraction) / n,
    solvedFraction: n === 0 ? 0 : sum((s) => (s.solved ? 1 : 0)) / n,
    casesPassed: sum((s) => s.passed),
    casesTotal: sum((s) => s.total),
  };
}
