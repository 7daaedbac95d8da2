/**
 * Retries of transient upstream failures (429, 5xx, dropped or timed-out connections) with
 * exponential backoff and jitter. The openai client's own retries are off (maxRetries 0) so the
 * attempts, delays and giving-up are ours, counted in the call log and testable with a fake clock.
 */

export interface RetryPolicy {
  /** Total attempts including the first; 1 means no retry. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20_000 };

export interface RetryDeps {
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  random: () => number;
}

export const realRetryDeps: RetryDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Delay before retry number `retry` (1-based): the exponential step, capped, with "equal jitter"
 * (half fixed, half random) so that retries from many sandboxes spread out yet never hammer.
 * A server's Retry-After hint is honoured when it asks for longer, up to the cap.
 */
export function backoffDelayMs(
  retry: number,
  policy: RetryPolicy,
  random: () => number,
  hintMs?: number,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = step / 2 + (random() * step) / 2;
  return hintMs === undefined ? jittered : Math.max(jittered, Math.min(hintMs, policy.maxDelayMs));
}

export interface AttemptFailure {
  retryable: boolean;
  hintMs?: number;
}

export interface RetryOutcome<T> {
  attempts: number;
  result?: T;
  error?: unknown;
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or attempts run out.
 * Never throws: the caller needs the attempt count either way.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  classify: (error: unknown) => AttemptFailure,
  policy: RetryPolicy,
  deps: RetryDeps,
): Promise<RetryOutcome<T>> {
  for (let n = 1; ; n++) {
    try {
      return { attempts: n, result: await attempt() };
    } catch (error) {
      const failure = classify(error);
      if (!failure.retryable || n >= policy.maxAttempts) return { attempts: n, error };
      await deps.sleep(backoffDelayMs(n, policy, deps.random, failure.hintMs));
    }
  }
}
