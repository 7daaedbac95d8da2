import { llmCallKey, llmCallsPrefix } from '../archive/keys';
import { mapLimit } from '../util/concurrency';
import type { ObjectStore } from '../storage';
import type { CallLog, CallRecord } from './call-log';
import type { Spend } from './budget';

/** Every LLM call of a gateway session, one JSON object each, at `llmCallKey` (src/archive/keys.ts). */
export class ObjectStoreCallLog implements CallLog {
  constructor(
    private readonly store: ObjectStore,
    private readonly runId: string,
    private readonly session: string,
  ) {}

  async append(record: CallRecord): Promise<void> {
    await this.store.put(
      llmCallKey(this.runId, this.session, record.id),
      JSON.stringify(record),
      'application/json',
    );
  }
}

/** GETs in flight while reading a session's call log. */
const READ_CONCURRENCY = 16;

/** A session's recorded calls, in the order they were made. */
export async function readCallLog(store: ObjectStore, runId: string, session: string): Promise<CallRecord[]> {
  const keys = await store.list(llmCallsPrefix(runId, session));
  const bodies = await mapLimit(keys, READ_CONCURRENCY, (key) => store.get(key));
  const records = bodies.flatMap((b) => (b ? [JSON.parse(b.toString('utf8')) as CallRecord] : []));
  return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/**
 * What the recorded calls cost, counted as the budget ledger counts them (calls the upstream
 * answered): the spend of attempts whose results were lost (a retried activity, a failed
 * generation) is in the log all the same.
 */
export function spendOf(records: readonly CallRecord[]): Spend {
  const spend = { usd: 0, tokens: 0 };
  for (const r of records) {
    if (r.outcome !== 'upstream') continue;
    spend.usd += r.costUsd;
    spend.tokens += r.usage.promptTokens + r.usage.completionTokens;
  }
  return spend;
}
