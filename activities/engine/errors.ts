import { ApplicationFailure } from '@temporalio/activity';

/**
 * Failures that a retry cannot fix: the activity fails for good with the service's message. The
 * names are the error classes' `name`s (SelectionError in src/selection, DataUnavailableError in
 * src/domains/data, StartNodeError in src/engine/generation/start.ts, ProgramPathError in
 * src/agent/program: a stored program holding a path refused since it was stored, e.g. `.git/config`;
 * CorruptObjectError in src/storage: an object whose bytes do not match its sha256 or its address,
 * still so after the store read it again, so not a read racing a write).
 */
const PERMANENT = new Set([
  'SelectionError',
  'DataUnavailableError',
  'StartNodeError',
  'ProgramPathError',
  'CorruptObjectError',
]);

/** Runs a service call, turning a permanent failure into a non-retryable activity failure. */
export async function mapErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof Error && PERMANENT.has(e.name)) throw ApplicationFailure.nonRetryable(e.message, e.name);
    throw e;
  }
}
