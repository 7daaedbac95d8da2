import { backoffDelayMs, withRetries } from '../../src/llm/retry';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 500 };

describe('backoffDelayMs', () => {
  it('doubles per retry, caps, and jitters the upper half', () => {
    // step = min(500, 100·2^(n-1)); delay = step/2 + random·step/2
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([50, 100, 200, 250]);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy, () => 0.5))).toEqual([75, 150, 300, 375]);
    expect(backoffDelayMs(1, policy, () => 0.999)).toBeCloseTo(99.95, 6);
  });

  it('honours a longer Retry-After hint up to the cap', () => {
    expect(backoffDelayMs(1, policy, () => 0, 300)).toBe(300);
    expect(backoffDelayMs(1, policy, () => 0, 10)).toBe(50);
    expect(backoffDelayMs(1, policy, () => 0, 60_000)).toBe(500);
  });
});

describe('withRetries', () => {
  const deps = (sleeps: number[]) => ({
    sleep: async (ms: number) => void sleeps.push(ms),
    random: () => 0.5,
  });

  it('retries retryable failures and returns the success with the attempt count', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const out = await withRetries(
      async () => {
        if (++calls < 3) throw new Error(`fail ${calls}`);
        return 'ok';
      },
      () => ({ retryable: true }),
      policy,
      deps(sleeps),
    );
    expect(out).toEqual({ attempts: 3, result: 'ok' });
    expect(sleeps).toEqual([75, 150]);
  });

  it('gives up after maxAttempts and stops at once on a non-retryable error', async () => {
    const sleeps: number[] = [];
    const gaveUp = await withRetries(
      () => Promise.reject(new Error('busy')),
      () => ({ retryable: true }),
      policy,
      deps(sleeps),
    );
    expect(gaveUp.attempts).toBe(4);
    expect((gaveUp.error as Error).message).toBe('busy');
    expect(sleeps).toEqual([75, 150, 300]);

    const fatal = await withRetries(
      () => Promise.reject(new Error('bad request')),
      () => ({ retryable: false }),
      policy,
      deps([]),
    );
    expect(fatal.attempts).toBe(1);
  });
});
