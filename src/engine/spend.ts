import type { EngineDeps } from './deps';

/**
 * Which of a node's LLM calls to count: those of its generation (self-modification and staged
 * evaluation), or those of the held-out test evaluation at the end of the run (purpose `test:`).
 */
export type SpendScope = 'generation' | 'held-out-test';

const TEST_PURPOSE = 'test:';

/**
 * What a node's LLM calls cost, from the call logs: the truth the run's budget is reconciled with,
 * since it includes attempts whose results were lost (a retried activity, a failed generation).
 */
export async function recordedSpend(
  deps: Pick<EngineDeps, 'recordedSpend'>,
  input: { runId: string; nodeId: string; scope: SpendScope },
): Promise<{ costUsd: number; tokens: number }> {
  const test = input.scope === 'held-out-test';
  const spend = await deps.recordedSpend(
    input.runId,
    input.nodeId,
    (purpose) => purpose.startsWith(TEST_PURPOSE) === test,
  );
  return { costUsd: spend.usd, tokens: spend.tokens };
}
