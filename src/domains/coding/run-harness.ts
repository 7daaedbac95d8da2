/**
 * Running the harness on a batch of exercises: one session (a sandbox session through
 * `ScoreContext.runUntrusted`, or a plain child process on the host) scores them all, the request on
 * stdin, and each exercise's response is read from the lines carrying the session's nonce.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import { sourceOrBuilt } from '../../host/assets';
import type { UntrustedRunner, UntrustedRunResult } from '../contract';
import {
  readHarnessLines,
  type HarnessExercise,
  type HarnessLimits,
  type HarnessRequest,
  type HarnessResponse,
} from './protocol';

/** A failed run of the harness itself (not of the module): every call then counts as failed. */
export interface HarnessFailure {
  failure: string;
}

export function isHarnessFailure(r: HarnessResponse | HarnessFailure): r is HarnessFailure {
  return 'failure' in r;
}

/** The harness script (copied beside the compiled output by the build). */
export function harnessScriptPath(): string {
  return sourceOrBuilt('src/domains/coding/harness.mjs');
}

/**
 * Upper bound on one exercise in the harness: the first load, the budget, then at most one more
 * call that started just inside the budget and the reload after it, plus slack.
 */
export function exerciseTimeoutMs(limits: HarnessLimits): number {
  return limits.budgetMs + 2 * limits.loadTimeoutMs + limits.timeoutMs + 2_000;
}

/** Upper bound on a session of `exercises` exercises: each one's bound, plus start-up. */
export function sessionTimeoutMs(limits: HarnessLimits, exercises: number): number {
  return exercises * exerciseTimeoutMs(limits) + 10_000;
}

/** How much of the harness's stderr a failure quotes: its end, where node prints the error. */
const STDERR_TAIL = 500;

/** Why a session ended before the exercise it was running had a response. */
function sessionFailure(res: UntrustedRunResult): string {
  if (res.timedOut) return 'harness exceeded its overall time limit';
  return `harness exited with ${res.exitCode}: ${res.stderr.slice(-STDERR_TAIL).trim()}`;
}

/**
 * Runs the harness on `exercises` (ids unique) and returns each one's response, or its failure.
 * When a session ends early (a module killed the harness, the session's memory or output cap, its
 * time limit), the exercise it had started and not finished fails with the reason, and the rest run
 * again in a new session: a module that takes the harness down costs only its own exercise.
 */
export async function runHarness(
  run: UntrustedRunner,
  exercises: readonly HarnessExercise[],
  limits: HarnessLimits,
): Promise<Map<string, HarnessResponse | HarnessFailure>> {
  const out = new Map<string, HarnessResponse | HarnessFailure>();
  const script = fs.readFileSync(harnessScriptPath(), 'utf8');
  let pending = [...exercises];
  while (pending.length > 0) {
    const request: HarnessRequest = { nonce: randomUUID(), exercises: pending, ...limits };
    const res = await run({
      files: { 'harness.mjs': script },
      command: ['node', 'harness.mjs'],
      stdin: JSON.stringify(request),
      timeoutMs: sessionTimeoutMs(limits, pending.length),
    });
    const { started, responses } = readHarnessLines(res.stdout, request.nonce);
    for (const [id, response] of responses) if (pending.some((x) => x.id === id)) out.set(id, response);
    const left = pending.filter((x) => !out.has(x.id));
    // The harness runs exercises in order, so the first one left is the one it was running, if it
    // had started it; if not, the session never got going and nothing more can be learnt by retrying.
    const culprit = left[0];
    if (culprit === undefined) break;
    const failure = { failure: sessionFailure(res) };
    if (!started.includes(culprit.id)) {
      for (const x of left) out.set(x.id, failure);
      break;
    }
    out.set(culprit.id, failure);
    pending = left.slice(1);
  }
  return out;
}
