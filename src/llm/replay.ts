import type { CallRecord } from './call-log';
import type { Completion } from './types';

/**
 * Recorded answers by request hash. When the same request is made several times (an agent loop
 * that repeats itself), occurrences are answered in order: the n-th call with hash h gets the
 * n-th recording of h, so a deterministic rerun replays exactly; a call beyond the recordings is
 * a miss, never a silently repeated answer.
 */
export interface ReplaySource {
  next(hash: string): Promise<Completion | undefined>;
}

export class InMemoryReplaySource implements ReplaySource {
  private readonly recordings = new Map<string, Completion[]>();
  private readonly used = new Map<string, number>();

  add(hash: string, response: Completion): this {
    const list = this.recordings.get(hash) ?? [];
    list.push(structuredClone(response));
    this.recordings.set(hash, list);
    return this;
  }

  async next(hash: string): Promise<Completion | undefined> {
    const n = this.used.get(hash) ?? 0;
    const found = this.recordings.get(hash)?.[n];
    if (found) this.used.set(hash, n + 1);
    return found && structuredClone(found);
  }
}

/** A replay source holding every answered call of a previous run's log, in log order. */
export function replaySourceFromRecords(records: Iterable<CallRecord>): InMemoryReplaySource {
  const source = new InMemoryReplaySource();
  for (const r of records) {
    if ((r.outcome === 'upstream' || r.outcome === 'replay') && r.requestHash && r.response) {
      source.add(r.requestHash, r.response);
    }
  }
  return source;
}
