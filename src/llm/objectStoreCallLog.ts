import type { ObjectStore } from '../storage';
import type { CallLog, CallRecord } from './call-log';

/** Every LLM call of a run, one JSON object each, under `runs/<runId>/llm/<nodeId>/`. */
export class ObjectStoreCallLog implements CallLog {
  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
  ) {}

  async append(record: CallRecord): Promise<void> {
    await this.store.put(`${this.prefix}/${record.id}.json`, JSON.stringify(record), 'application/json');
  }
}
