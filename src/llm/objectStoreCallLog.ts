import { llmCallKey } from '../archive/keys';
import type { ObjectStore } from '../storage';
import type { CallLog, CallRecord } from './call-log';

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
